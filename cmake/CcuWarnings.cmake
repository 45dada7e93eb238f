# Strict warnings on our own targets only; third-party headers are included as SYSTEM by their targets.
function(ccu_apply_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wnon-virtual-dtor -Woverloaded-virtual
    -Wnull-dereference -Wimplicit-fallthrough -Wformat=2 -Wcast-qual)
  if(CCU_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
