// Placeholder until the simulator CLI lands.
console.error('kalshi-ws-pool-sim: not built yet');
process.exitCode = 1;
