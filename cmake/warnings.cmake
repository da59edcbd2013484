# Compiler warnings for our own targets. CI passes -DSCHAKEL_WERROR=ON.
function(schakel_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
                                           -Wnon-virtual-dtor -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wshadow=local)
    # GCC 12 reports false -Wrestrict overlaps inside std::string concatenation at -O2/-O3
    # (GCC bug 105651); the warning is reliable again from GCC 13.
    if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      target_compile_options(${target} PRIVATE -Wno-restrict)
    endif()
  endif()
  if(SCHAKEL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
