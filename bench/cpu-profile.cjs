// Preloaded with NODE_OPTIONS=--require (which refuses --cpu-prof): profiles the whole process
// and writes <CPU_PROFILE_DIR>/<pid>.cpuprofile on exit, for Chrome DevTools or speedscope.
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
process.on('exit', () => {
  session.post('Profiler.stop', (error, result) => {
    if (!error)
      writeFileSync(
        join(process.env.CPU_PROFILE_DIR ?? '.', `${process.pid}.cpuprofile`),
        JSON.stringify(result.profile),
      );
  });
});
