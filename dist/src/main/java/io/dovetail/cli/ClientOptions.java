package io.dovetail.cli;

import io.dovetail.client.MetadataClient;
import io.dovetail.common.config.CommonConfig;
import io.dovetail.common.config.ConfigEntry;
import io.dovetail.common.config.DovetailConf;
import io.dovetail.common.util.HostPort;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * How the admin commands reach the metadata server: {@code --metadata host:port}, or
 * {@code dovetail.metadata.address} from the configuration (for {@code dovetail.auth.secret} and
 * timeouts too). Not thread-safe.
 */
final class ClientOptions {
  @Option(names = {"-m", "--metadata"}, paramLabel = "<host:port>",
      description = "The metadata server (default: dovetail.metadata.address from the "
          + "configuration).")
  String metadata;

  @Option(names = "--conf-file", paramLabel = "<properties>",
      description = "Java properties file with dovetail.* keys (default: "
          + "$DOVETAIL_CONF_DIR/dovetail.properties when it exists).")
  Path confFile;

  @Option(names = {"-c", "--conf"}, paramLabel = "<key=value>",
      description = "A configuration value; repeatable; overrides --conf-file.")
  List<String> overrides = new ArrayList<>();

  /** The configuration: the file, then the overrides. */
  DovetailConf conf(CommandLine cmd) {
    DovetailConf conf = new DovetailConf();
    Path file = confFile != null ? confFile : ServerOptions.defaultConfFile();
    if (file != null) {
      try {
        conf.setAll(DovetailConf.fromFile(file));
      } catch (IOException e) {
        throw new CommandLine.ParameterException(cmd, "cannot read " + file + ": " + e);
      }
    }
    for (String kv : overrides) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new CommandLine.ParameterException(cmd, "expected key=value, got '" + kv + "'");
      }
      conf.set(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
    }
    try {
      // What a command uses to reach the metadata server, checked up front: a bad value is a
      // usage error naming its key, not a stack trace from deep in a connect.
      for (ConfigEntry<?> e : new CommonConfig().entries()) {
        conf.get(e);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    return conf;
  }

  /** The metadata server's address; a usage error when there is none or it is malformed. */
  HostPort address(CommandLine cmd, DovetailConf conf) {
    String text = metadata != null ? metadata : conf.get(CommonConfig.METADATA_ADDRESS);
    if (text == null || text.isBlank()) {
      throw new CommandLine.ParameterException(cmd, "no metadata server: pass --metadata "
          + "host:port or set dovetail.metadata.address");
    }
    try {
      return HostPort.parse(text.trim());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, "--metadata: " + e.getMessage());
    }
  }

  /** A storage server's data address given on the command line; a bad one is a usage error. */
  static HostPort serverAddress(CommandLine cmd, String text) {
    try {
      return HostPort.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
  }

  MetadataClient connect(CommandLine cmd) {
    DovetailConf conf = conf(cmd);
    return new MetadataClient(address(cmd, conf), conf);
  }
}
