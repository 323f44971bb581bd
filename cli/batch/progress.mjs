// Progress of gliolens batch on stderr: a bar with an ETA redrawn in place on a terminal, one plain
// line per finished case when piped (logs, CI).
const clock = (seconds) => {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

export class Progress {
  #stream;
  #total;
  #finished = 0;
  #failed = 0;
  #started = performance.now();

  // `total`: the cases this run has to do (those already done are not counted).
  constructor(stream, total, skipped) {
    this.#stream = stream;
    this.#total = total;
    if (skipped) this.#line(`batch: ${skipped} case${skipped === 1 ? '' : 's'} already done (skipped), ${total} to do`);
    this.#draw();
  }

  get #tty() { return Boolean(this.#stream.isTTY); }

  #line(text) {
    this.#stream.write(this.#tty ? `\r\x1b[K${text}\n` : `${text}\n`);
  }

  #draw() {
    if (!this.#tty) return;
    const width = 30;
    const filled = this.#total ? Math.round((width * this.#finished) / this.#total) : width;
    const elapsed = (performance.now() - this.#started) / 1000;
    const eta = this.#finished ? (elapsed / this.#finished) * (this.#total - this.#finished) : Infinity;
    this.#stream.write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.#finished}/${this.#total}` +
      `${this.#failed ? `, ${this.#failed} failed` : ''}, ${clock(elapsed)} elapsed, ETA ${clock(eta)}`);
  }

  caseDone(id, seconds) {
    this.#finished++;
    if (!this.#tty) this.#line(`batch: [${this.#finished}/${this.#total}] ${id} done in ${seconds.toFixed(1)} s`);
    this.#draw();
  }

  caseFailed(id, message) {
    this.#finished++;
    this.#failed++;
    this.#line(`batch: [${this.#finished}/${this.#total}] ${id} failed: ${message}`);
    this.#draw();
  }

  end() {
    if (this.#tty) this.#stream.write('\n');
  }
}
