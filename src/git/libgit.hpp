#pragma once
// Thin RAII over the libgit2 C API, and the one way a libgit2 failure becomes a C++ exception.
#include "git/libgit2_api.hpp"

#include <memory>
#include <stdexcept>
#include <string>

namespace ccu::git::lg {

// Free is one of the function pointers of libgit2_api.hpp, read when a handle is freed.
template <class T, auto& Free>
struct Deleter {
    void operator()(T* p) const noexcept { Free(p); }
};

using Repository = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using Remote = std::unique_ptr<git_remote, Deleter<git_remote, git_remote_free>>;
using Commit = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using Tree = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using Blob = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using TreeBuilder = std::unique_ptr<git_treebuilder, Deleter<git_treebuilder, git_treebuilder_free>>;
using Signature = std::unique_ptr<git_signature, Deleter<git_signature, git_signature_free>>;
using PackBuilder = std::unique_ptr<git_packbuilder, Deleter<git_packbuilder, git_packbuilder_free>>;
using RevWalk = std::unique_ptr<git_revwalk, Deleter<git_revwalk, git_revwalk_free>>;
using Odb = std::unique_ptr<git_odb, Deleter<git_odb, git_odb_free>>;

// A failed libgit2 call: its return code, error class (GIT_ERROR_NET, GIT_ERROR_ODB, ...) and text.
class Failure : public std::runtime_error {
public:
    Failure(int code, int klass, const std::string& message)
        : std::runtime_error(message), code_(code), klass_(klass) {}
    int code() const noexcept { return code_; }
    int klass() const noexcept { return klass_; }

private:
    int code_;
    int klass_;
};

// Throws Failure when rc < 0, with libgit2's last error for this thread.
int check(int rc, const char* what);

// Opens libgit2 (libgit2_api.hpp) and calls git_libgit2_init, once per process, with ccu's global
// settings (see libgit.cpp). Throws ccu::Error(NotConfigured) when libgit2 is missing.
void ensure_initialized();

std::string to_hex(const git_oid& oid);
git_oid from_hex(const std::string& hex);  // throws Failure on a malformed id

}  // namespace ccu::git::lg
