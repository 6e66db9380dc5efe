// The one way into Boost.Process v2 (1.81, Debian 12). Its headers with
// BOOST_PROCESS_USE_STD_FS need boost::optional declared first, and posix/default_launcher.hpp
// names `decay` unqualified; both are fixed in later Boost releases. Include this, never
// <boost/process/v2/...> directly. Only process.hpp, stdio.hpp and start_dir.hpp are used
// (the umbrella header and environment.hpp break the Windows build, see DESIGN.md).
#pragma once

#include <boost/optional.hpp>

#include <type_traits>

namespace boost::process::v2::posix {
using std::decay;
}

#include <boost/process/v2/process.hpp>
#include <boost/process/v2/start_dir.hpp>
#include <boost/process/v2/stdio.hpp>
