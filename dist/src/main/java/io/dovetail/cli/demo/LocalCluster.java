package io.dovetail.cli.demo;

import io.dovetail.cli.CommandFailedException;
import io.dovetail.common.config.Sizes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's cluster, every part a real process started from the distribution: a Dovetail
 * metadata server and {@value DemoSettings#STORAGE_SERVERS} storage servers (through
 * {@code DovetailCli}, as {@code bin/dovetail} runs them), a Spark standalone Master and one
 * Worker whose cores (two unless chosen) become one-core executors. Each start waits until the
 * process serves, failing with its log if it exits first. The elastic-executor benchmark starts
 * the same cluster with a worker offering more one-core executors than the machine has cores.
 *
 * <p>Processes that only coordinate (metadata server, master, worker) run with the client JIT and
 * the serial collector: on a two-core machine that leaves the cores to the executors and storage
 * servers, which run with the JVM's defaults. Not thread-safe.
 */
public final class LocalCluster {
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  static final String CLI_MAIN = "io.dovetail.cli.DovetailCli";
  /** Process names: the metadata server, and storage servers as STORAGE + index. */
  static final String METADATA = "metadata";
  static final String STORAGE = "storage-";
  static final int EXECUTORS = 2;
  static final long STORAGE_MEMORY_MB = 512;
  /** For JVMs that coordinate rather than compute: quick to start, light on the cores. */
  static final List<String> LIGHT_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private final Distribution dist;
  private final DemoSettings settings;
  private final WorkDir work;
  private final ChildProcesses processes;
  private final Progress progress;
  private final int workerCores;
  private ChildProcesses.Child worker;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  /** What runs on the started cluster: Spark applications through {@code runner}. */
  interface Session<T> {
    T run(PipelineRun runner);
  }

  /**
   * Starts the cluster, runs {@code session} on it and stops every process it started, on
   * success, on failure and on Ctrl-C (then the failure says "interrupted"). {@code who} names
   * the command in the stop message. Returns what the session returned.
   */
  static <T> T run(Distribution dist, DemoSettings settings, WorkDir work, Progress progress,
      String who, Session<T> session) {
    ChildProcesses processes = new ChildProcesses(ChildProcesses.DEFAULT_GRACE, progress::line);
    boolean stopped = false;
    try {
      new LocalCluster(dist, settings, work, processes, progress).start();
      T result = session.run(new PipelineRun(dist, settings, work, processes, progress));
      progress.line("Stopping the local cluster");
      stopped = true;
      stop(processes, progress);
      return result;
    } catch (RuntimeException e) {
      if (processes.closing()) {
        throw new CommandFailedException("interrupted; every process it started is stopped");
      }
      throw e;
    } finally {
      if (!stopped) {
        progress.line("Stopping every process the " + who + " started");
        stop(processes, progress);
      }
    }
  }

  private static void stop(ChildProcesses processes, Progress progress) {
    progress.line(processes.stopAll().describe(ChildProcesses.DEFAULT_GRACE));
  }

  LocalCluster(Distribution dist, DemoSettings settings, WorkDir work, ChildProcesses processes,
      Progress progress) {
    this(dist, settings, work, processes, progress, EXECUTORS);
  }

  /**
   * A cluster whose worker offers {@code workerCores} cores and memory for as many executors of
   * {@link DemoSettings#executorMemory()}.
   */
  public LocalCluster(Distribution dist, DemoSettings settings, WorkDir work,
      ChildProcesses processes, Progress progress, int workerCores) {
    if (workerCores < 1) {
      throw new IllegalArgumentException("a worker needs at least one core");
    }
    this.workerCores = workerCores;
    this.dist = dist;
    this.settings = settings;
    this.work = work;
    this.processes = processes;
    this.progress = progress;
  }

  /**
   * Starts every process at once (each waits for what it needs: storage servers retry the
   * metadata server, the worker retries the master), then waits until each serves.
   */
  public void start() {
    ChildProcesses.Child meta = server(METADATA, "metadata-server", LIGHT_JVM,
        List.of("dovetail.metadata.host=" + DemoSettings.HOST,
            "dovetail.metadata.port=" + settings.metadataPort(),
            "dovetail.metadata.dbDir=" + work.store().resolve("metadata")));
    List<ChildProcesses.Child> storage = new ArrayList<>();
    for (int i = 0; i < DemoSettings.STORAGE_SERVERS; i++) {
      storage.add(server(STORAGE + i, "storage-server",
          List.of("-XX:MaxDirectMemorySize=" + (STORAGE_MEMORY_MB * 2) + "m"),
          List.of("dovetail.metadata.address=" + settings.metadataAddress(),
              "dovetail.storage.host=" + DemoSettings.HOST,
              "dovetail.storage.advertisedHost=" + DemoSettings.HOST,
              "dovetail.storage.port=" + settings.storagePort(i),
              "dovetail.storage.dirs=" + work.store().resolve("storage-" + i),
              "dovetail.storage.memoryLimit=" + STORAGE_MEMORY_MB + "m")));
    }
    ChildProcesses.Child master = spark("spark-master", "org.apache.spark.deploy.master.Master",
        List.of("--host", DemoSettings.HOST, "--port", Integer.toString(settings.masterPort()),
            "--webui-port", Integer.toString(settings.masterUiPort())), Map.of());
    Path dir = work.spark().resolve("worker");
    long executorMb = Sizes.parseBytes(settings.executorMemory()) >> 20;
    worker = spark("spark-worker", "org.apache.spark.deploy.worker.Worker",
        List.of("--host", DemoSettings.HOST, "--cores", Integer.toString(workerCores),
            "--memory", (workerCores * executorMb) + "m", "--webui-port", "0",
            "--work-dir", work.logs().resolve("executors").toString(), settings.masterUrl()),
        Map.of("SPARK_LOCAL_DIRS", dir.resolve("local").toString()));

    awaitPortFile(meta);
    progress.line("Dovetail metadata server serving on " + settings.metadataAddress()
        + " (pid " + meta.pid() + ")");
    for (int i = 0; i < storage.size(); i++) {
      awaitPortFile(storage.get(i));
      progress.line("Dovetail storage server " + i + " serving on " + DemoSettings.HOST + ":"
          + settings.storagePort(i) + " (pid " + storage.get(i).pid() + ")");
    }
    await(master, "the Spark master", () -> masterState().contains("\"ALIVE\"") ? true : null);
    progress.line("Spark master " + settings.masterUrl() + ", web UI http://" + DemoSettings.HOST
        + ":" + settings.masterUiPort() + " (pid " + master.pid() + ")");
    await(worker, "the Spark worker to register", () -> {
      Matcher m = ALIVE_WORKERS.matcher(masterState());
      return m.find() && Integer.parseInt(m.group(1)) >= 1 ? true : null;
    });
    progress.line("Spark worker with " + workerCores + " cores for " + workerCores
        + " one-core executors (pid " + worker.pid() + ")");
  }

  /** The Spark worker, whose descendants are the executors; null before {@link #start()}. */
  public ChildProcesses.Child worker() {
    return worker;
  }

  private static final Pattern ALIVE_WORKERS = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");

  /** A Dovetail server through the command line's own subcommand. */
  private ChildProcesses.Child server(String name, String subcommand, List<String> jvm,
      List<String> conf) {
    List<String> cmd = new ArrayList<>();
    cmd.add(dist.java().toString());
    cmd.add("-Xmx256m");
    cmd.addAll(jvm);
    cmd.addAll(List.of("-XX:+ExitOnOutOfMemoryError",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "-Dio.netty.tryReflectionSetAccessible=true", "-Ddovetail.home=" + dist.home(),
        "-Dlog4j2.configurationFile=" + dist.home().resolve("conf/log4j2.xml"),
        "-cp", dist.libClassPath(), CLI_MAIN, subcommand));
    for (String kv : conf) {
      cmd.add("-c");
      cmd.add(kv);
    }
    cmd.add("--port-file");
    cmd.add(portFile(name).toString());
    return processes.start(name, cmd, Map.of(), work.log(name), null);
  }

  private ChildProcesses.Child spark(String name, String main, List<String> args,
      Map<String, String> extraEnv) {
    List<String> cmd = new ArrayList<>();
    cmd.add(dist.java().toString());
    cmd.add("-Xmx512m");
    cmd.addAll(LIGHT_JVM);
    cmd.addAll(SparkRuntime.JVM_OPTIONS);
    cmd.add("-Dspark.worker.cleanup.enabled=false");
    cmd.addAll(List.of("-cp", dist.sparkClassPath(), main));
    cmd.addAll(args);
    Map<String, String> env = SparkRuntime.environment(dist, DemoSettings.HOST);
    env.putAll(extraEnv);
    return processes.start(name, cmd, env, work.log(name), null);
  }

  private Path portFile(String name) {
    return work.run().resolve(name + ".port");
  }

  private void awaitPortFile(ChildProcesses.Child child) {
    Path file = portFile(child.name());
    await(child, child.name() + " to serve", () -> {
      try {
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).trim()
            : "";
        return text.isEmpty() ? null : true;
      } catch (IOException e) {
        return null;
      }
    });
  }

  /** The master's JSON state, or "" while it does not answer. */
  private String masterState() {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + DemoSettings.HOST + ":"
          + settings.masterUiPort() + "/json/")).timeout(Duration.ofSeconds(2)).build();
      HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
      return resp.statusCode() == 200 ? resp.body() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailedException("interrupted");
    }
  }

  /** Polls {@code ready} until non-null, failing if {@code child} exits or time runs out. */
  private void await(ChildProcesses.Child child, String what, Supplier<Boolean> ready) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (ready.get() == null) {
      alive(child);
      if (System.nanoTime() > deadline) {
        throw new CommandFailedException("timed out after " + START_TIMEOUT.toSeconds()
            + " s waiting for " + what + "; from its log, " + child.log() + ":\n"
            + child.errorSummary(15));
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CommandFailedException("interrupted");
      }
    }
  }

  private void alive(ChildProcesses.Child child) {
    if (processes.closing()) {
      throw new CommandFailedException("interrupted");
    }
    if (!child.process().isAlive()) {
      throw new CommandFailedException(child.name() + " exited with status "
          + child.process().exitValue() + "; from its log, " + child.log() + ":\n"
          + child.errorSummary(15));
    }
  }
}
