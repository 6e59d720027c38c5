package io.dovetail.cli;

import io.dovetail.metadata.MetadataServerMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code dovetail metadata-server}: runs {@link MetadataServerMain} in this process until SIGTERM.
 * Its exit statuses are the server's: 1 when it cannot start, 2 for bad configuration. Not
 * thread-safe.
 */
@Command(name = "metadata-server", mixinStandardHelpOptions = true,
    versionProvider = DovetailCli.Version.class,
    description = {"Runs a metadata server until SIGTERM.",
        "Keys: dovetail.metadata.* and dovetail.auth.secret (see conf/dovetail.properties)."})
final class MetadataServerCommand implements Callable<Integer> {
  @Mixin
  ServerOptions options;

  @Override
  public Integer call() {
    // Returns after a clean shutdown; exits the JVM itself with any other status.
    MetadataServerMain.main(options.forward());
    return 0;
  }
}
