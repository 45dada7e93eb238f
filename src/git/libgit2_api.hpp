#pragma once
// libgit2, opened at run time on first use (ccu/common/shared_library.hpp): every libgit2
// function src/git calls is a pointer of the same name in ccu::git (so also for ccu::git::lg and
// the files' anonymous namespaces), filled by lg::ensure_initialized() before git_libgit2_init.
// Include this, never <git2.h> alone, in src/git: a call that misses the pointers links against
// libgit2 itself, which the `ccu` executable does not link.
#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/stream.h>

#include "ccu/common/shared_library.hpp"

#define CCU_LIBGIT2_FUNCTIONS(X)               \
    X(git_blob_create_from_buffer)             \
    X(git_blob_free)                           \
    X(git_blob_lookup)                         \
    X(git_blob_rawcontent)                     \
    X(git_blob_rawsize)                        \
    X(git_buf_dispose)                         \
    X(git_commit_create)                       \
    X(git_commit_free)                         \
    X(git_commit_lookup)                       \
    X(git_commit_time)                         \
    X(git_commit_tree)                         \
    X(git_commit_tree_id)                      \
    X(git_config_delete_entry)                 \
    X(git_config_free)                         \
    X(git_config_get_int64)                    \
    X(git_config_set_int64)                    \
    X(git_credential_userpass_plaintext_new)   \
    X(git_error_last)                          \
    X(git_error_set_str)                       \
    X(git_fetch_options_init)                  \
    X(git_indexer_append)                      \
    X(git_indexer_commit)                      \
    X(git_indexer_free)                        \
    X(git_indexer_name)                        \
    X(git_indexer_new)                         \
    X(git_libgit2_init)                        \
    X(git_libgit2_opts)                        \
    X(git_mempack_new)                         \
    X(git_mempack_reset)                       \
    X(git_odb_add_backend)                     \
    X(git_odb_exists)                          \
    X(git_odb_free)                            \
    X(git_odb_hash)                            \
    X(git_odb_object_data)                     \
    X(git_odb_object_free)                     \
    X(git_odb_object_size)                     \
    X(git_odb_read)                            \
    X(git_odb_read_header)                     \
    X(git_odb_refresh)                         \
    X(git_oid_cmp)                             \
    X(git_oid_fromstr)                         \
    X(git_oid_tostr)                           \
    X(git_packbuilder_free)                    \
    X(git_packbuilder_insert)                  \
    X(git_packbuilder_name)                    \
    X(git_packbuilder_new)                     \
    X(git_packbuilder_object_count)            \
    X(git_packbuilder_write)                   \
    X(git_proxy_options_init)                  \
    X(git_push_options_init)                   \
    X(git_reference_create)                    \
    X(git_reference_delete)                    \
    X(git_reference_free)                      \
    X(git_reference_iterator_free)             \
    X(git_reference_iterator_glob_new)         \
    X(git_reference_lookup)                    \
    X(git_reference_next)                      \
    X(git_reference_target)                    \
    X(git_remote_connect)                      \
    X(git_remote_create_anonymous)             \
    X(git_remote_default_branch)               \
    X(git_remote_disconnect)                   \
    X(git_remote_download)                     \
    X(git_remote_free)                         \
    X(git_remote_init_callbacks)               \
    X(git_remote_ls)                           \
    X(git_remote_stats)                        \
    X(git_remote_upload)                       \
    X(git_repository_config)                   \
    X(git_repository_free)                     \
    X(git_repository_init)                     \
    X(git_repository_odb)                      \
    X(git_repository_open_bare)                \
    X(git_revwalk_free)                        \
    X(git_revwalk_hide)                        \
    X(git_revwalk_new)                         \
    X(git_revwalk_next)                        \
    X(git_revwalk_push_glob)                   \
    X(git_signature_free)                      \
    X(git_signature_new)                       \
    X(git_stream_register)                     \
    X(git_tree_entry_byname)                   \
    X(git_tree_entry_byindex)                  \
    X(git_tree_entry_id)                       \
    X(git_tree_entry_name)                     \
    X(git_tree_entry_type)                     \
    X(git_tree_entrycount)                     \
    X(git_tree_free)                           \
    X(git_tree_id)                             \
    X(git_tree_lookup)                         \
    X(git_treebuilder_free)                    \
    X(git_treebuilder_insert)                  \
    X(git_treebuilder_new)                     \
    X(git_treebuilder_remove)                  \
    X(git_treebuilder_write)

namespace ccu::git {

CCU_LIBGIT2_FUNCTIONS(CCU_SHARED_LIBRARY_POINTER)

}  // namespace ccu::git
