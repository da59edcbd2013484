# Every dependency comes from a Debian package (see scripts/setup).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG)   # libboost1.81-dev: Beast and Asio (header-only)
find_package(SQLite3 REQUIRED)             # libsqlite3-dev
find_package(OpenSSL REQUIRED)             # libssl-dev
find_package(GTest REQUIRED)               # libgtest-dev, libgmock-dev
find_package(LibXml2 REQUIRED)             # libxml2-dev: used only inside fhir/xml/*.cc
find_path(RAPIDJSON_INCLUDE_DIR rapidjson/document.h REQUIRED)  # rapidjson-dev (header-only)

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()
