# Compiler warnings for our own targets. CI passes -DSCHAKEL_WERROR=ON.
function(schakel_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                                           -Wnon-virtual-dtor -Wimplicit-fallthrough)
  if(SCHAKEL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
