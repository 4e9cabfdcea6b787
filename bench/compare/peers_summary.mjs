// The customer summary of a transaction log, CSV in and CSV out, by DuckDB (@duckdb/node-api) or Polars
// (nodejs-polars): what `crmkit summary --transactions LOG -o OUT` computes (lifetimes' definitions:
// same-day purchases merged; frequency = distinct days - 1; recency and T in days; monetary_value = the
// mean of the repeat days' amounts, 0 for one-day customers). Run beside crmkit, never linked into it:
// the peers are installed outside the repository (docs/benchmarks.md, "Peers").
//
//   NODE_PATH=PEERS/node_modules node bench/compare/peers_summary.mjs duckdb|polars LOG OUT THREADS
//
// LOG has a header with customer_id,date (YYYY-MM-DD),amount. Prints the wall time of the work (engine
// start included) in seconds on stdout.
import { createRequire } from "module";

const require = createRequire(process.env.NODE_PATH ? process.env.NODE_PATH + "/" : import.meta.url);
const [engine, log, out, threadsArg] = process.argv.slice(2);
const threads = Number(threadsArg || 1);
const t0 = process.hrtime.bigint();

if (engine === "duckdb") {
  const { DuckDBInstance } = require("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:", { threads: String(threads) });
  const c = await db.connect();
  await c.run(`
    COPY (
      WITH days AS (
        SELECT customer_id, CAST(date AS DATE) AS d, sum(amount) AS a
        FROM read_csv('${log}', header = true, columns = {'customer_id': 'VARCHAR', 'date': 'DATE', 'amount': 'DOUBLE'})
        GROUP BY customer_id, d),
      obs AS (SELECT max(d) AS e FROM days)
      SELECT customer_id,
             count(*) - 1 AS frequency,
             date_diff('day', min(d), max(d)) AS recency,
             date_diff('day', min(d), (SELECT e FROM obs)) AS T,
             CASE WHEN count(*) > 1 THEN (sum(a) - arg_min(a, d)) / (count(*) - 1) ELSE 0 END AS monetary_value
      FROM days GROUP BY customer_id
    ) TO '${out}' (HEADER, DELIMITER ',')`);
} else if (engine === "polars") {
  // POLARS_MAX_THREADS must be set before the module loads (the caller's environment).
  const pl = require("nodejs-polars");
  const df = pl.readCSV(log, { dtypes: { customer_id: pl.Utf8, date: pl.Utf8, amount: pl.Float64 } });
  const days = df
    .withColumns(pl.col("date").str.strptime(pl.Date, "%Y-%m-%d").alias("d"))
    .groupBy(["customer_id", "d"])
    .agg(pl.col("amount").sum().alias("a"));
  const end = days.getColumn("d").max();
  const s = days
    .groupBy("customer_id")
    .agg(
      pl.count("d").alias("n"),
      pl.col("d").min().alias("first"),
      pl.col("d").max().alias("last"),
      pl.col("a").sum().alias("total"),
      pl.col("a").sortBy("d").first().alias("first_a"),
    )
    .withColumns(
      pl.col("n").minus(1).alias("frequency"),
      pl.col("last").cast(pl.Int32).minus(pl.col("first").cast(pl.Int32)).alias("recency"),
      pl.lit(end).cast(pl.Date).cast(pl.Int32).minus(pl.col("first").cast(pl.Int32)).alias("T"),
      pl.when(pl.col("n").gt(1))
        .then(pl.col("total").minus(pl.col("first_a")).div(pl.col("n").minus(1)))
        .otherwise(pl.lit(0))
        .alias("monetary_value"),
    )
    .select("customer_id", "frequency", "recency", "T", "monetary_value");
  s.writeCSV(out);
} else {
  console.error("usage: peers_summary.mjs duckdb|polars LOG OUT THREADS");
  process.exit(2);
}
console.log(Number(process.hrtime.bigint() - t0) / 1e9);
