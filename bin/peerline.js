#!/usr/bin/env -S node --max-semi-space-size=2
// A 2 MiB young generation (V8's default is 16): an agent in 20 rooms stays near 100 MiB instead
// of 130-150 (bench/memory.ts). harness/agent.ts and `npm start` pass the same flag.
require('../dist/app/cli/peerline.js')
