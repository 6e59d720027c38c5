package io.dovetail.cli;

import io.dovetail.common.config.ConfigEntry;
import io.dovetail.common.config.ConfigEntryProvider;
import io.dovetail.common.config.ConfigReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Renders the distribution's configuration templates from the configuration entries of every
 * module, so they list every key with its default and are never stale. Run by the build
 * ({@code process-classes}) with the servers, the client and the Spark plugin on the class path.
 *
 * <ul>
 *   <li>{@value #SERVER_FILE}: every key a server or an admin command reads (all but the Spark
 *       plugin's), commented out at its default.
 *   <li>{@value #SPARK_FILE}: what a Spark application sets, in {@code spark-defaults.conf} form:
 *       the shuffle manager, then the common, client and plugin keys with the {@code spark.}
 *       prefix, commented out at their defaults.
 * </ul>
 *
 * Stateless.
 */
public final class ConfigTemplates {
  public static final String SERVER_FILE = "dovetail.properties";
  public static final String SPARK_FILE = "spark-dovetail.conf";
  /** Groups a Spark application has no use for. */
  private static final Set<String> SERVER_ONLY = Set.of("Metadata server", "Storage server");
  /** Keys that must be found, or the class path was incomplete. */
  private static final List<String> REQUIRED = List.of("dovetail.metadata.port",
      "dovetail.storage.dirs", "dovetail.client.integrityCheck", "dovetail.shuffle.replication");

  private ConfigTemplates() {}

  /** {@code args[0]}: the directory to write both files to. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ConfigTemplates <output directory>");
    }
    List<ConfigEntryProvider> all = ConfigReference.providers();
    Set<String> keys = all.stream().flatMap(p -> p.entries().stream()).map(ConfigEntry::key)
        .collect(Collectors.toSet());
    for (String key : REQUIRED) {
      if (!keys.contains(key)) {
        throw new IllegalStateException("no configuration entry " + key + " on the class path; "
            + "found groups " + all.stream().map(ConfigEntryProvider::group).toList());
      }
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    Files.writeString(dir.resolve(SERVER_FILE), serverTemplate(all), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(SPARK_FILE), sparkTemplate(all), StandardCharsets.UTF_8);
  }

  static String serverTemplate(List<ConfigEntryProvider> all) {
    return """
        # Dovetail configuration of the metadata server, the storage servers and the admin
        # commands (bin/dovetail reads it from its conf directory unless given --conf-file).
        # Every key is listed, commented out, at its default. Uncomment a line to change it;
        # `-c key=value` on the command line overrides this file.
        # Durations take ms, s, m, h, d; sizes take k, m, g, t.

        """ + ConfigReference.propertiesTemplate(all.stream().filter(p -> !isSparkPlugin(p))
        .toList());
  }

  static String sparkTemplate(List<ConfigEntryProvider> all) {
    String keys = ConfigReference.propertiesTemplate(all.stream()
        .filter(p -> !SERVER_ONLY.contains(p.group())).toList());
    return """
        # Dovetail settings for a Spark application, in spark-defaults.conf form: append them to
        # $SPARK_HOME/conf/spark-defaults.conf, or pass this file with
        # spark-submit --properties-file. The plugin jar must be on the driver and executor
        # class path (SPARK_HOME/jars, or --jars).
        # Every Dovetail key is listed, commented out, at its default.

        spark.shuffle.manager=org.apache.spark.shuffle.dovetail.DovetailShuffleManager

        """ + keys.replace("\n#dovetail.", "\n#spark.dovetail.");
  }

  private static boolean isSparkPlugin(ConfigEntryProvider p) {
    return p.getClass().getPackageName().startsWith("io.dovetail.spark");
  }
}
