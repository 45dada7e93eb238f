// Leak suppressions for sanitizer builds (the `asan` preset), compiled into ccu and every test
// binary so that they apply to ccu processes the tests start with a clean environment too.
// Every leak LeakSanitizer reported in the asan suite was memory allocated inside libpcre2
// (pcre2_match_data_create, pcre2_match) on behalf of libgit2 1.5 during a fetch or push; ccu
// never calls pcre2, so these are libgit2's and are suppressed by that library's name alone.
#if defined(__SANITIZE_ADDRESS__)
extern "C" const char* __lsan_default_suppressions();
extern "C" __attribute__((visibility("default"), used)) const char* __lsan_default_suppressions() {
    return "leak:libpcre2-8.so\n";
}
#endif
