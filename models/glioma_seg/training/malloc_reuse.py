"""Memory settings for the PyTorch scripts (training and scoring) on a CPU-only machine."""
import ctypes, ctypes.util, os, sys

# Keep freed pages for reuse (jemalloc's decay would hand them back to the OS, and the page faults return).
JEMALLOC_CONF = "dirty_decay_ms:-1,muzzy_decay_ms:-1"
ALLOCATOR_VARIABLE = "GLIOLENS_ALLOCATOR"


def keep_freed_memory():
    """Make the freed memory of one iteration (or network pass) serve the next without growing without bound.
    glibc's malloc hands big freed blocks back to the OS, so every iteration maps its activations afresh and the page
    faults cost more than the arithmetic; told to keep them (mallopt), it fragments instead: a refine training run's
    resident memory grows by ~0.3 GB per iteration (12.4 GB after 40, 20.8 GB after ~640, when the OOM killer took it).
    jemalloc with decay off keeps memory and reuses it: 40 refine iterations in 1.4 min at 5.6 GB, the same losses.
    So when libjemalloc2 is installed this re-runs the script under it (LD_PRELOAD); else it falls back to glibc with
    mallopt and warns. Process-wide: call it first thing in an entry point run as `/usr/bin/python3 -m training.NAME ...` (or as a script)."""
    if os.environ.get(ALLOCATOR_VARIABLE):
        return
    jemalloc = ctypes.util.find_library("jemalloc")
    script = sys.argv[0] if sys.argv else ""
    if jemalloc and script.endswith(".py") and os.path.isfile(script):
        env = dict(os.environ, LD_PRELOAD=" ".join(filter(None, [os.environ.get("LD_PRELOAD", ""), jemalloc])),
                   MALLOC_CONF=JEMALLOC_CONF, **{ALLOCATOR_VARIABLE: "jemalloc"})
        sys.stdout.flush()
        # the interpreter's own arguments (sys.orig_argv), so that `-m training.NAME` runs again as a module
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)
    os.environ[ALLOCATOR_VARIABLE] = "glibc"
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    m_trim_threshold, m_mmap_max = -1, -4
    if not (libc.mallopt(m_mmap_max, 0) and libc.mallopt(m_trim_threshold, 2**30)):
        print("warning: mallopt refused; PyTorch runs as before, only slower", flush=True)
    print("warning: libjemalloc2 is not installed (apt-get install libjemalloc2): glibc keeps freed memory but "
          "fragments it, so a long training run can grow past 20 GB", flush=True)
