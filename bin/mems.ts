#!/usr/bin/env bun
/**
 * The `mems` command of the installed package (package.json `bin`, so `bunx mems ...`): the command
 * line of cli/main.ts.
 */
import "../cli/main.ts";
