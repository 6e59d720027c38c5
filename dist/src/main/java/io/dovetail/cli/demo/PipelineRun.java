package io.dovetail.cli.demo;

import io.dovetail.cli.CommandFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Spark application of the example jobs ({@code TeraPipeline}), submitted through
 * {@code org.apache.spark.deploy.SparkSubmit} in a child JVM, as {@code spark-submit} would. The
 * driver runs in that JVM (client mode); a {@link Mode#CLUSTER} application gets two executors of
 * one core from the local master, a {@link Mode#LOCAL} one (input generation, which shuffles
 * nothing) runs its tasks in the driver and saves starting executors. Its progress lines are
 * relayed; Spark's own log goes to the run's log file. Not thread-safe.
 */
public final class PipelineRun {
  static final String PIPELINE = "io.dovetail.examples.terasort.TeraPipeline";
  public static final String DOVETAIL_SHUFFLE_MANAGER =
      "org.apache.spark.shuffle.dovetail.DovetailShuffleManager";
  /** TeraPipeline's exit status when the output is not a valid sort. */
  static final int EXIT_INVALID = 3;
  static final int LOCAL_CORES = 2;

  /** Where an application runs and which shuffle it uses. */
  public enum Mode {
    /** {@code local[2]}: tasks in the driver JVM, no shuffle needed. */
    LOCAL,
    /** On the cluster with Spark's built-in sort shuffle. */
    CLUSTER,
    /** On the cluster with Dovetail's shuffle manager. */
    DOVETAIL
  }

  private final Distribution dist;
  private final DemoSettings settings;
  private final WorkDir work;
  private final ChildProcesses processes;
  private final Progress progress;
  private final Map<String, String> extraConf;

  public PipelineRun(Distribution dist, DemoSettings settings, WorkDir work,
      ChildProcesses processes, Progress progress) {
    this(dist, settings, work, processes, progress, Map.of());
  }

  private PipelineRun(Distribution dist, DemoSettings settings, WorkDir work,
      ChildProcesses processes, Progress progress, Map<String, String> extraConf) {
    this.dist = dist;
    this.settings = settings;
    this.work = work;
    this.processes = processes;
    this.progress = progress;
    this.extraConf = Map.copyOf(extraConf);
  }

  /** The processes of the cluster this runner submits to. */
  ChildProcesses processes() {
    return processes;
  }

  /**
   * A runner on the same cluster for other data ({@code settings}: size, partitions, seed) whose
   * cluster applications add {@code extraConf} to their Spark configuration, last (so it may
   * override ours).
   */
  PipelineRun with(DemoSettings newSettings, Map<String, String> newExtraConf) {
    return new PipelineRun(dist, newSettings, work, processes, progress, newExtraConf);
  }

  /**
   * Runs {@code steps} as application {@code label}. Returns the report file; fails if the
   * application fails (a failed validation still returns: the report says so).
   */
  Path run(String label, String title, Mode mode, String steps) {
    Path report = work.reports().resolve(label + ".properties");
    List<String> cmd = submitCommand("Dovetail: " + title, mode, PIPELINE, sparkConf(mode));
    cmd.addAll(List.of("--steps", steps, "--label", label,
        "--records", Long.toString(settings.records()),
        "--partitions", Integer.toString(settings.partitions()),
        "--seed", Long.toString(settings.seed()),
        "--input", work.input().toUri().toString(),
        "--output", work.output(label).toUri().toString(),
        "--report", report.toString()));
    ChildProcesses.Child app = processes.start(label, cmd,
        SparkRuntime.environment(dist, DemoSettings.HOST), work.log(label),
        line -> relay(title, line));
    int status = processes.awaitExit(app);
    if ((status != 0 && status != EXIT_INVALID) || !Files.exists(report)) {
      throw new CommandFailedException(title + " failed (exit status " + status + "); from its "
          + "log, " + app.log() + ":\n" + app.errorSummary(15));
    }
    return report;
  }

  /**
   * The command line submitting {@code mainClass} of the examples jar with {@code conf}; the
   * job's own arguments follow.
   */
  public List<String> submitCommand(String name, Mode mode, String mainClass,
      Map<String, String> conf) {
    List<String> cmd = new ArrayList<>();
    cmd.add(dist.java().toString());
    cmd.add("-Xmx1g");
    cmd.addAll(SparkRuntime.JVM_OPTIONS);
    // The plugin sits on the driver's class path and, through spark.executor.extraClassPath, on
    // the executors': as in a SPARK_HOME/jars installation, nothing is shipped per application.
    String classPath = mode == Mode.DOVETAIL
        ? dist.sparkClassPath() + ":" + dist.pluginJar() : dist.sparkClassPath();
    cmd.addAll(List.of("-cp", classPath, "org.apache.spark.deploy.SparkSubmit",
        "--master", mode == Mode.LOCAL ? "local[" + LOCAL_CORES + "]" : settings.masterUrl(),
        "--deploy-mode", "client", "--name", name, "--class", mainClass));
    conf.forEach((k, v) -> {
      cmd.add("--conf");
      cmd.add(k + "=" + v);
    });
    cmd.add(dist.examplesJar().toString());
    return cmd;
  }

  /** The Spark configuration of a run. */
  public Map<String, String> sparkConf(Mode mode) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.driver.host", DemoSettings.HOST);
    conf.put("spark.driver.bindAddress", DemoSettings.HOST);
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.local.dir", work.spark().resolve("driver-local").toString());
    conf.put("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    if (mode == Mode.LOCAL) {
      return conf;
    }
    conf.put("spark.executor.cores", "1");
    conf.put("spark.cores.max", Integer.toString(LocalCluster.EXECUTORS));
    conf.put("spark.executor.memory", settings.executorMemory());
    // Time the jobs on both executors, not on whichever registered first.
    conf.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
    conf.put("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s");
    // Both executors share one host here. Spark's shuffle would read the other executor's files
    // straight from the local disk, which it cannot do across hosts; fetch over the network as
    // on a real cluster (Dovetail's reads always do).
    conf.put("spark.shuffle.readHostLocalDisk", "false");
    if (mode == Mode.DOVETAIL) {
      conf.put("spark.executor.extraClassPath", dist.pluginJar().toString());
      conf.put("spark.shuffle.manager", DOVETAIL_SHUFFLE_MANAGER);
      conf.put("spark.dovetail.metadata.address", settings.metadataAddress());
      conf.put("spark.dovetail.shuffle.replication", Integer.toString(settings.replication()));
      // The local metadata server never restarts during the demo; on Ctrl-C, when every process
      // gets SIGINT at once, the driver should not retry it for the default minute.
      conf.put("spark.dovetail.rpc.retryWait", "5s");
    }
    conf.putAll(extraConf);
    return conf;
  }

  private void relay(String title, String line) {
    String text = line.startsWith("progress: ") ? line.substring("progress: ".length())
        : line.startsWith("step: ") ? line.substring("step: ".length()) : line;
    progress.line("  " + title + ": " + text);
  }
}
