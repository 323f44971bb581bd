// The Session verbs JavaScript calls on the object it holds: load, header, labelVolumes, writeDemoCase, release.
#include "core/demo/phantom.hpp"
#include "core/imaging/labels.hpp"
#include "core/io/nifti.hpp"
#include "wasm/js_convert.hpp"
#include "wasm/session.hpp"

#include <emscripten/bind.h>

namespace gliolens::js {
namespace {

// Reads the NIfTI at `path` (MEMFS in the browser, the real file system in Node).
val load(Session& session, const std::string& path, const std::string& display_name) {
  return guarded([&] {
    NiftiImage image = read_nifti(path, {}, display_name);
    val out = val::object();
    out.set("id", session.add(std::move(image.volume)));
    out.set("name", display_name.empty() ? path : display_name);
    out.set("header", header_to_js(image.header));
    out.set("warnings", to_array(image.warnings));
    return out;
  });
}

val header(Session&, const std::string& path) {
  return guarded([&] { return header_to_js(read_nifti_header(path)); });
}

val label_volumes_of(Session& session, int id) {
  return guarded([&] {
    val out = val::array();
    int n = 0;
    for (const auto& lv : label_volumes(session.volume(id))) {
      val row = val::object();
      row.set("label", lv.label);
      row.set("voxels", static_cast<double>(lv.voxels));
      row.set("mL", lv.millilitres);
      out.set(n++, row);
    }
    return out;
  });
}

// Writes the synthetic demo case into `directory` and returns [{role, path}].
val write_demo_case(Session&, const std::string& directory, bool compressed) {
  return guarded([&] {
    const DemoCase demo = make_demo_case();
    const std::vector<std::tuple<std::string, const Volume*, StoredType>> parts = {
        {"t1", &demo.t1, StoredType::int16},
        {"t1c", &demo.t1c, StoredType::int16},
        {"t2", &demo.t2, StoredType::int16},
        {"flair", &demo.flair, StoredType::int16},
        {"seg", &demo.segmentation, StoredType::uint8}};
    val out = val::array();
    int n = 0;
    for (const auto& [role, volume, type] : parts) {
      const std::string path = directory + "/gliolens_demo_" + (role == "t1c" ? "t1ce" : role) +
                               (compressed ? ".nii.gz" : ".nii");
      write_nifti(path, *volume, type);
      val row = val::object();
      row.set("role", role);
      row.set("path", path);
      out.set(n++, row);
    }
    return out;
  });
}

void release(Session& session, int id) { session.release(id); }
int count(const Session& session) { return session.count(); }

}  // namespace
}  // namespace gliolens::js

EMSCRIPTEN_BINDINGS(gliolens_session) {
  namespace js = gliolens::js;
  emscripten::class_<js::Session>("Session")
      .constructor<>()
      .function("load", &js::load)
      .function("header", &js::header)
      .function("labelVolumes", &js::label_volumes_of)
      .function("writeDemoCase", &js::write_demo_case)
      .function("release", &js::release)
      .function("count", &js::count);
}
