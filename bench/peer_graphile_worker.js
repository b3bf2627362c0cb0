// The peer of the CallOps benchmarks: graphile-worker processing N no-op jobs bulk-added with
// graphile_worker.add_jobs, concurrency 10, timed until the queue is empty.
//   node peer_graphile_worker.js CONNECTION_STRING JOB_COUNT
// Prints one JSON object: {"jobs": N, "seconds": S, "jobs_per_second": R, ...}.
"use strict";

const { run, runMigrations } = require("graphile-worker");
const { Client } = require("pg");

async function main() {
  const connectionString = process.argv[2];
  const jobCount = Number.parseInt(process.argv[3], 10);
  if (!connectionString || !(jobCount > 0)) {
    console.error("usage: peer_graphile_worker.js CONNECTION_STRING JOB_COUNT");
    process.exit(2);
  }
  const logger = new (require("@graphile/logger").Logger)(() => () => {});

  await runMigrations({ connectionString, logger });

  const client = new Client({ connectionString });
  await client.connect();
  await client.query("delete from graphile_worker._private_jobs");
  // One statement adds them all, as an application's bulk insert would.
  await client.query(
    `select count(*) from graphile_worker.add_jobs(array(
       select row('noop', '{}'::json, null, null, null, null, null, null)::graphile_worker.job_spec
       from generate_series(1, $1)))`,
    [jobCount]
  );
  await client.query("vacuum analyze graphile_worker._private_jobs");
  const queued = Number(
    (await client.query("select count(*) as n from graphile_worker._private_jobs")).rows[0].n
  );
  if (queued !== jobCount) throw new Error(`queued ${queued} jobs, expected ${jobCount}`);

  let done = 0;
  let failed = 0;
  let finish;
  const allDone = new Promise((resolve) => (finish = resolve));
  const started = process.hrtime.bigint();
  const runner = await run({
    connectionString,
    concurrency: 10,
    noHandleSignals: true,
    pollInterval: 1000,
    logger,
    taskList: { noop: async () => {} },
  });
  runner.events.on("job:success", () => {
    if (++done === jobCount) finish();
  });
  runner.events.on("job:failed", () => {
    ++failed;
  });
  await allDone;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await runner.stop();
  const left = Number(
    (await client.query("select count(*) as n from graphile_worker._private_jobs")).rows[0].n
  );
  await client.end();
  if (left !== 0) throw new Error(`${left} jobs left in the queue`);
  const version = require("graphile-worker/package.json").version;
  console.log(
    JSON.stringify({
      peer: "graphile-worker",
      version,
      concurrency: 10,
      jobs: jobCount,
      failed,
      seconds: Number(seconds.toFixed(3)),
      jobs_per_second: Number((jobCount / seconds).toFixed(1)),
    })
  );
}

main().catch((error) => {
  console.error(`peer: ${error.message}`);
  process.exit(1);
});
