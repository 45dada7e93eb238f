# Strict warnings on our own targets only; third-party headers are included as SYSTEM by their targets.
function(ccu_apply_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wnon-virtual-dtor -Woverloaded-virtual
    -Wnull-dereference -Wimplicit-fallthrough -Wformat=2 -Wcast-qual)
  if(CCU_WERROR)
    # GCC 12's flow-sensitive warnings misfire on inlined std::string/std::vector code at -O2
    # (GCC bugs 105329, 105651, 106199; -Wnull-dereference inside vector relocation): they stay visible as warnings, but do not fail the build.
    # The asan preset is what catches the real memory errors these warnings aim at.
    target_compile_options(${target} PRIVATE -Werror
      $<$<CXX_COMPILER_ID:GNU>:-Wno-error=array-bounds -Wno-error=stringop-overflow
                               -Wno-error=dangling-pointer -Wno-error=maybe-uninitialized
                               -Wno-error=null-dereference>)
  endif()
endfunction()
