package io.dovetail.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.dovetail.client.MetadataClient;
import io.dovetail.proto.GetClusterStatusRequest;
import io.dovetail.proto.GetClusterStatusResponse;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dovetail status}: the metadata server's view of the cluster. Storage servers with their
 * state, disk, memory, partition copies and last heartbeat; live applications; shuffles with
 * their committed maps and bytes. {@code --json} prints the {@code GetClusterStatusResponse}
 * message in protobuf's JSON mapping (field names as in {@code dovetail.proto}, every field
 * present), for scripts. Not thread-safe.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    versionProvider = DovetailCli.Version.class,
    description = "Shows storage servers (state, capacity, use), applications and shuffles.")
final class StatusCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Option(names = "--json", description = "Print JSON instead of tables.")
  boolean json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InvalidProtocolBufferException {
    GetClusterStatusResponse status;
    try (MetadataClient mc = client.connect(spec.commandLine())) {
      try {
        status = mc.admin().getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
      } catch (StatusRuntimeException e) {
        throw new CommandFailedException("cannot get the status from the metadata server at "
            + mc.address() + ": " + RpcFailures.describe(e), e);
      }
    }
    var out = spec.commandLine().getOut();
    if (json) {
      out.println(JsonFormat.printer().alwaysPrintFieldsWithNoPresence()
          .preservingProtoFieldNames().print(status));
    } else {
      out.print(ClusterStatusText.render(status, Instant.now()));
    }
    out.flush();
    return 0;
  }
}
