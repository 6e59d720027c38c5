package io.dovetail.spark;

import io.dovetail.testkit.Await;
import io.dovetail.testkit.JavaProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster: a Master on 127.0.0.1 and one single-core Worker on each of
 * 127.0.0.1 and 127.0.0.2 (two loopback "hosts", so Spark runs speculative copies and remote
 * reads as on two machines), each a JVM started from a SPARK_HOME that holds Spark's jars and,
 * optionally, Dovetail's shaded plugin jar. Drivers run in the test JVM in client mode. Not
 * thread-safe; {@link #close()} kills every process.
 */
final class SparkStandaloneCluster implements AutoCloseable {
  static final String[] WORKER_HOSTS = {"127.0.0.1", "127.0.0.2"};
  private static final Pattern MASTER_URL =
      Pattern.compile("Starting Spark master at (spark://127\\.0\\.0\\.1:\\d+)");

  private final Path sparkHome;
  private final String masterUrl;
  private final List<JavaProcess> processes = new ArrayList<>();

  /**
   * @param dir where SPARK_HOME, work directories and logs go
   * @param pluginInSparkHome whether the shaded plugin jar is on every executor's class path;
   *     if not, applications ship it with spark.jars
   */
  SparkStandaloneCluster(Path dir, boolean pluginInSparkHome) {
    this.sparkHome = dir.resolve("spark-home");
    try {
      Path jars = Files.createDirectories(sparkHome.resolve("jars"));
      Path runtime = runtimeSparkHome();
      try (Stream<Path> list = Files.list(runtime.resolve("jars"))) {
        for (Path jar : (Iterable<Path>) list::iterator) {
          Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
        }
      }
      Files.createDirectories(sparkHome.resolve("conf"));
      Files.copy(runtime.resolve("conf/log4j2.properties"),
          sparkHome.resolve("conf/log4j2.properties"));
      if (pluginInSparkHome) {
        Files.createSymbolicLink(jars.resolve("dovetail-plugin.jar"), pluginJar());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      JavaProcess master = spark("org.apache.spark.deploy.master.Master", "master", "127.0.0.1",
          dir, "--host", "127.0.0.1", "--port", "0", "--webui-port", "0");
      Await.until(Duration.ofSeconds(90), "Spark master up", () -> {
        alive(master);
        return master.log().contains("I have been elected leader");
      });
      // Port 0: the master binds a free port itself and names it in its log.
      Matcher url = MASTER_URL.matcher(master.log());
      if (!url.find()) {
        throw new IllegalStateException("the Spark master did not log its URL:\n"
            + master.logTail(40));
      }
      masterUrl = url.group(1);
      for (int i = 0; i < WORKER_HOSTS.length; i++) {
        String host = WORKER_HOSTS[i];
        JavaProcess worker = spark("org.apache.spark.deploy.worker.Worker", "worker-" + i, host,
            dir, "--host", host, "--cores", "1", "--memory", "3g", "--webui-port", "0",
            "--work-dir", dir.resolve("work-" + i).toString(), masterUrl());
        Await.until(Duration.ofSeconds(90), "Spark worker on " + host + " registered", () -> {
          alive(worker);
          return worker.log().contains("Successfully registered with master");
        });
      }
    } catch (RuntimeException | Error e) {
      close(); // the caller never gets the cluster to close
      throw e;
    }
  }

  private static void alive(JavaProcess p) {
    if (!p.isAlive()) {
      throw new AssertionError(p + " exited:\n" + p.logTail(40));
    }
  }

  private JavaProcess spark(String main, String name, String host, Path dir, String... args) {
    JavaProcess p = JavaProcess.builder(main).name(name)
        .classPath(sparkHome.resolve("conf") + ":" + sparkHome.resolve("jars") + "/*")
        .maxHeap("512m")
        .env("SPARK_HOME", sparkHome.toString())
        .env("SPARK_SCALA_VERSION", "2.13")
        .env("SPARK_LOCAL_IP", host)
        .env("SPARK_LOCAL_HOSTNAME", host)
        .env("SPARK_WORKER_DIR", dir.resolve("work").toString())
        .jvmArg("-Dspark.worker.cleanup.enabled=false")
        .args(args)
        .logFile(dir.resolve(name + ".log"))
        .start();
    processes.add(p);
    return p;
  }

  String masterUrl() {
    return masterUrl;
  }

  /** The Spark runtime assembled by the spark-runtime module. */
  static Path runtimeSparkHome() {
    return Path.of(System.getProperty("dovetail.spark.runtime",
        "../spark-runtime/target/spark-home")).toAbsolutePath();
  }

  /** The shaded plugin jar built by this module's package phase. */
  static Path pluginJar() {
    return Path.of(System.getProperty("dovetail.plugin.jar")).toAbsolutePath();
  }

  /** Worker logs, and executor logs under their work directories, for failure messages. */
  String logs() {
    StringBuilder sb = new StringBuilder();
    for (JavaProcess p : processes) {
      sb.append("---- ").append(p).append('\n').append(p.logTail(30)).append('\n');
    }
    return sb.toString();
  }

  /** Stops workers (which stop their executors) and the master; kills what remains. */
  @Override
  public void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      JavaProcess p = processes.get(i);
      if (p.isAlive()) {
        p.stop(Duration.ofSeconds(15));
      }
      p.close();
    }
  }
}
