// Preloaded with `node --import` by the train tests: makes standard output look like a terminal
// 100 columns wide (isTTY, columns), so `nnc train` draws its cli-progress bar as it would in a
// terminal. The cursor moves the bar makes are written as ANSI escapes into the pipe.
import { clearLine, cursorTo, moveCursor } from "node:readline";

const out = process.stdout;
Object.assign(out, {
  isTTY: true,
  columns: 100,
  rows: 40,
  cursorTo: (x, y, cb) => cursorTo(out, x, y, cb),
  moveCursor: (dx, dy, cb) => moveCursor(out, dx, dy, cb),
  clearLine: (dir, cb) => clearLine(out, dir, cb),
  getWindowSize: () => [100, 40],
  hasColors: () => false,
});
