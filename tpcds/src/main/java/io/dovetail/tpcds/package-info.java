/**
 * TPC-DS through Spark with the built-in shuffle and with Dovetail.
 *
 * <p>What lives here: generating the TPC-DS tables into Parquet ({@link
 * io.dovetail.tpcds.DataGenerator}, with the Java TPC-DS generator and the table definitions of
 * Spark's own TPC-DS suites, {@link io.dovetail.tpcds.TpcdsTables}); the query texts ({@link
 * io.dovetail.tpcds.TpcdsQueries}) and the rewrite that makes their results comparable between
 * two shuffles ({@link io.dovetail.tpcds.ResultOrder}); running one query and reducing its rows to
 * a comparable form ({@link io.dovetail.tpcds.QueryRunner}, {@link io.dovetail.tpcds.ResultRows});
 * and the benchmark that interleaves two Spark driver processes, one per shuffle, and writes the
 * Markdown, CSV and PNG report ({@link io.dovetail.tpcds.TpcdsBenchmark}, {@link
 * io.dovetail.tpcds.Report}).
 *
 * <p>What does not: no Dovetail class is referenced; Spark loads the plugin by class name from the
 * shaded jar, exactly as a user's job does.
 */
package io.dovetail.tpcds;
