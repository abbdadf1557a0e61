// Preloaded (node --require) into the Firebase CLI that GcsEmulator starts. The JVM holds the write end of
// this process's stdin; when that closes (GcsEmulator.stop(), or the JVM died, even by kill -9), the CLI gets
// SIGINT: its own clean shutdown, which exports the data and stops the rules runtime child. If that hangs,
// the process exits anyway.
'use strict';
let ending = false;
function end() {
  if (ending) {
    return;
  }
  ending = true;
  setTimeout(() => process.exit(1), 20000).unref();
  process.kill(process.pid, 'SIGINT');
}
process.stdin.on('end', end);
process.stdin.on('error', end);
process.stdin.resume();
