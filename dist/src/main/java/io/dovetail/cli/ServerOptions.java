package io.dovetail.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options both servers take, forwarded to their own mains. Without {@code --conf-file} the
 * distribution's {@code conf/dovetail.properties} is used when it exists. Not thread-safe.
 */
final class ServerOptions {
  static final String CONF_FILE = "dovetail.properties";

  @Option(names = "--conf-file", paramLabel = "<properties>",
      description = "Java properties file with dovetail.* keys (default: "
          + "$DOVETAIL_CONF_DIR/dovetail.properties when it exists).")
  Path confFile;

  @Option(names = {"-c", "--conf"}, paramLabel = "<key=value>",
      description = "A configuration value; repeatable; overrides --conf-file.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--port-file", paramLabel = "<path>",
      description = "Once serving, write the bound port here (atomically).")
  Path portFile;

  /** The arguments for the server's main. */
  String[] forward() {
    List<String> args = new ArrayList<>();
    Path file = confFile != null ? confFile : defaultConfFile();
    if (file != null) {
      args.add("--conf-file");
      args.add(file.toString());
    }
    for (String kv : overrides) {
      args.add("--conf");
      args.add(kv);
    }
    if (portFile != null) {
      args.add("--port-file");
      args.add(portFile.toString());
    }
    return args.toArray(new String[0]);
  }

  /** {@code dovetail.properties} in the configuration directory, if there is one. */
  static Path defaultConfFile() {
    String dir = System.getProperty("dovetail.conf.dir");
    if (dir == null) {
      return null;
    }
    Path file = Path.of(dir, CONF_FILE);
    return Files.isRegularFile(file) ? file : null;
  }
}
