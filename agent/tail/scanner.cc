#include "agent/tail/scanner.h"

#include <dirent.h>
#include <fnmatch.h>
#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <utility>

namespace vigil::tail {

Scanner::Scanner(std::vector<std::string> include, std::vector<std::string> exclude)
    : include_(std::move(include)), exclude_(std::move(exclude)) {}

bool Scanner::Excluded(const std::string& path) const {
  // No FNM_PATHNAME: "*.gz" excludes compressed rotations in any directory.
  return std::any_of(exclude_.begin(), exclude_.end(), [&](const std::string& pattern) {
    return ::fnmatch(pattern.c_str(), path.c_str(), 0) == 0;
  });
}

std::vector<FoundFile> Scanner::Scan() const {
  std::vector<std::string> paths;
  for (const std::string& pattern : include_) {
    glob_t g{};
    // Unreadable directories are skipped (no GLOB_ERR): one bad directory must not hide the
    // files of the others.
    int rc = ::glob(pattern.c_str(), 0, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) paths.emplace_back(g.gl_pathv[i]);
    }
    ::globfree(&g);
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());

  std::vector<FoundFile> found;
  std::set<std::pair<uint64_t, uint64_t>> seen;
  for (std::string& path : paths) {
    if (Excluded(path)) continue;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    auto id = std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
    if (!seen.insert(id).second) continue;
    found.push_back(FoundFile{std::move(path), id.first, id.second});
  }
  return found;
}

std::optional<FoundFile> Scanner::FindByInode(const std::string& dir, uint64_t dev, uint64_t ino) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return std::nullopt;
  std::optional<FoundFile> result;
  while (const dirent* e = ::readdir(d)) {
    // d_ino avoids a stat per entry; the match is confirmed with stat (bind mounts, overlays).
    if (static_cast<uint64_t>(e->d_ino) != ino) continue;
    std::string path = dir == "/" ? "/" + std::string(e->d_name) : dir + "/" + e->d_name;
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        static_cast<uint64_t>(st.st_dev) == dev && static_cast<uint64_t>(st.st_ino) == ino) {
      result = FoundFile{std::move(path), dev, ino};
      break;
    }
  }
  ::closedir(d);
  return result;
}

}  // namespace vigil::tail
