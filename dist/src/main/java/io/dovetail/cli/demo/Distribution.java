package io.dovetail.cli.demo;

import io.dovetail.cli.CommandFailedException;
import io.dovetail.cli.DovetailCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of a Dovetail distribution the demo runs from: {@code lib/} (the servers),
 * {@code plugin/} (the shaded Spark plugin), {@code examples/} (the Spark jobs), and a Spark 4.1
 * runtime, {@code spark/} unless another SPARK_HOME is given. Immutable.
 */
public record Distribution(Path home, Path lib, Path pluginJar, Path examplesJar, Path sparkHome,
    Path java) {

  /**
   * The distribution this JVM runs from ({@code -Ddovetail.home}, set by {@code bin/dovetail},
   * or the parent of the directory holding this class's jar); every part must be present.
   */
  public static Distribution locate(Path sparkHomeOverride) {
    Path home = findHome();
    Path lib = home.resolve("lib");
    if (!Files.isDirectory(lib)) {
      throw new CommandFailedException("no lib/ directory in " + home + "; run the demo from a "
          + "built distribution (./dev/demo builds one)");
    }
    Path plugin = single(home.resolve("plugin"), "dovetail-spark-", "the Spark plugin");
    Path examples = single(home.resolve("examples"), "dovetail-examples-", "the example jobs");
    Path spark = (sparkHomeOverride != null ? sparkHomeOverride : home.resolve("spark"))
        .toAbsolutePath().normalize();
    Path jars = spark.resolve("jars");
    if (!Files.isDirectory(jars) || list(jars, "spark-core_2.13-4.1").isEmpty()) {
      throw new CommandFailedException("no Spark 4.1 (Scala 2.13) runtime at " + spark
          + ": expected jars/spark-core_2.13-4.1.*.jar there; pass --spark-home");
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new Distribution(home, lib, plugin, examples, spark, java);
  }

  /** The class path of the servers: every jar of {@code lib/}. */
  public String libClassPath() {
    return lib + "/*";
  }

  /** The class path of Spark's processes: its conf/ and every jar. */
  public String sparkClassPath() {
    return sparkHome.resolve("conf") + ":" + sparkHome.resolve("jars") + "/*";
  }

  private static Path findHome() {
    String prop = System.getProperty("dovetail.home");
    if (prop != null) {
      return Path.of(prop).toAbsolutePath().normalize();
    }
    try {
      Path jar = Path.of(DovetailCli.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI());
      return jar.getParent().getParent().toAbsolutePath().normalize();
    } catch (URISyntaxException | RuntimeException e) {
      throw new CommandFailedException("cannot tell where the distribution is; run "
          + "bin/dovetail demo");
    }
  }

  private static Path single(Path dir, String prefix, String what) {
    List<Path> found = Files.isDirectory(dir) ? list(dir, prefix) : List.of();
    found.removeIf(p -> !p.getFileName().toString().endsWith(".jar"));
    if (found.size() != 1) {
      throw new CommandFailedException("expected one " + prefix + "*.jar (" + what + ") in "
          + dir + ", found " + found.size() + "; rebuild the distribution (./dev/demo)");
    }
    return found.get(0).toAbsolutePath();
  }

  private static List<Path> list(Path dir, String prefix) {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "*")) {
      files.forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
