package io.dovetail.tpcds;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * One Spark driver process of the benchmark, with one shuffle, running queries on request.
 *
 * <p>Protocol on standard input and output, one line each way per request: {@code RUN <query>}
 * answers {@code @@RESULT<TAB>query<TAB>millis<TAB>rows<TAB>digest<TAB>error} and writes the
 * result's lines to {@code <rows>/<query>.txt}; {@code QUIT} stops Spark and exits. {@code @@READY}
 * says the session is up and the tables are registered. Every other output (Spark logs) goes to
 * standard error. Arguments: {@code shuffle master dataDir rowsDir [key=value ...]}.
 *
 * <p>Not thread-safe: reads requests one at a time from one thread.
 */
public final class QueryWorker {
  static final String READY = "@@READY";
  static final String RESULT = "@@RESULT";

  private QueryWorker() {}

  public static void main(String[] args) throws IOException {
    Sessions.Shuffle shuffle = Sessions.Shuffle.of(args[0]);
    String master = args[1];
    Path data = Path.of(args[2]);
    Path rows = Path.of(args[3]);
    Map<String, String> conf = new LinkedHashMap<>();
    for (int i = 4; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      conf.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    // Protocol lines only on the real standard output; anything else that prints goes to stderr.
    PrintStream protocol = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    Files.createDirectories(rows);
    SparkSession spark = Sessions.create(shuffle, master, conf);
    // Warnings and errors only: per-task INFO lines would make the log the largest output.
    spark.sparkContext().setLogLevel("WARN");
    try {
      DataGenerator.registerViews(spark, data);
      protocol.println(READY);
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] words = line.trim().split("\\s+");
        if (words[0].equals("QUIT")) {
          break;
        }
        if (!words[0].equals("RUN") || words.length != 2) {
          protocol.println(RESULT + "\t?\t0\t-1\t\tbad request: " + line);
          continue;
        }
        QueryRunner.Outcome o = QueryRunner.run(spark, words[1]);
        if (o.ok()) {
          Files.write(rows.resolve(o.query() + ".txt"), o.lines(), StandardCharsets.UTF_8);
        }
        protocol.println(String.join("\t", RESULT, o.query(), Long.toString(o.millis()),
            Integer.toString(o.rows()), o.digest() == null ? "" : o.digest(),
            o.error() == null ? "" : o.error().replace('\t', ' ').replace('\n', ' ')));
      }
    } finally {
      spark.stop();
    }
  }
}
