// SPDX-License-Identifier: MIT
#include "app/cli.hpp"

int main(int argc, char** argv) {
  return td::app::RunCli(argc, argv);
}
