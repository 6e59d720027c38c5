package io.dovetail.cli;

import io.dovetail.storage.StorageServerMain;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code dovetail storage-server}: runs {@link StorageServerMain} in this process until SIGTERM or
 * until it has drained. Its exit statuses are the server's: 0 after a drain, 1 when it cannot
 * start, 2 for bad configuration. Not thread-safe.
 */
@Command(name = "storage-server", mixinStandardHelpOptions = true,
    versionProvider = DovetailCli.Version.class,
    description = {"Runs a storage server until SIGTERM, or until a drain completes.",
        "Keys: dovetail.storage.*, dovetail.metadata.address, dovetail.transport.* and "
            + "dovetail.auth.secret (see conf/dovetail.properties)."})
final class StorageServerCommand implements Callable<Integer> {
  @Mixin
  ServerOptions options;

  @Override
  public Integer call() {
    StorageServerMain.main(options.forward());
    return 0;
  }
}
