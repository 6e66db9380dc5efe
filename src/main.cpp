#include "cli/cli.hpp"

int main(int argc, char** argv) {
    return golaunch::run_cli(argc, argv);
}
