// The session object JavaScript holds: the volumes it loaded, by id, and the verbs over them.
#include "core/demo/phantom.hpp"
#include "core/imaging/labels.hpp"
#include "core/io/nifti.hpp"
#include "wasm/js_convert.hpp"
#include "wasm/loaded_volumes.hpp"

#include <emscripten/bind.h>

#include <map>

namespace gliolens::js {
namespace {

class Session {
public:
  // Reads the NIfTI at `path` (MEMFS in the browser, the real file system in Node).
  val load(const std::string& path, const std::string& display_name) {
    return guarded([&] {
      NiftiImage image = read_nifti(path, {}, display_name);
      const int id = next_id_++;
      val out = val::object();
      out.set("id", id);
      out.set("name", display_name.empty() ? path : display_name);
      out.set("header", header_to_js(image.header));
      out.set("warnings", to_array(image.warnings));
      volumes_.emplace(id, std::move(image.volume));
      return out;
    });
  }

  val header(const std::string& path) {
    return guarded([&] { return header_to_js(read_nifti_header(path)); });
  }

  val labelVolumes(int id) {
    return guarded([&] {
      val out = val::array();
      int n = 0;
      for (const auto& lv : label_volumes(volume(id))) {
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
  val writeDemoCase(const std::string& directory, bool compressed) {
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

  void release(int id) { volumes_.erase(id); }
  [[nodiscard]] int count() const { return static_cast<int>(volumes_.size()); }

private:
  const Volume& volume(int id) const { return loaded_volume(id); }

  std::map<int, Volume>& volumes_ = loaded_volumes();  // shared with the other binding files
  int& next_id_ = next_volume_id();
};

}  // namespace
}  // namespace gliolens::js

EMSCRIPTEN_BINDINGS(gliolens_session) {
  using gliolens::js::Session;
  emscripten::class_<Session>("Session")
      .constructor<>()
      .function("load", &Session::load)
      .function("header", &Session::header)
      .function("labelVolumes", &Session::labelVolumes)
      .function("writeDemoCase", &Session::writeDemoCase)
      .function("release", &Session::release)
      .function("count", &Session::count);
}
