#include "ccu/cli/context.hpp"

int main(int argc, char** argv) { return ccu::cli::run(argc, argv); }
