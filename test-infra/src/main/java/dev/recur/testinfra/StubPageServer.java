package dev.recur.testinfra;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * An instant page server for benchmarks ({@link StubHttpServer} on {@code 127.0.0.1}): every request, whatever its
 * method and path, gets the same small HTML page.
 *
 * <p>Usage: {@code StubPageServer <port> [page bytes, default 40]}.
 */
public final class StubPageServer {

    private StubPageServer() {}

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int pageBytes = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        byte[] response = StubHttpServer.response("200 OK", "text/html; charset=utf-8", page(pageBytes));
        new StubHttpServer(Set.of(), 0, request -> response)
                .serve(new InetSocketAddress("127.0.0.1", port), "stub page server");
    }

    /** The benchmark page, padded with spaces (or cut) to the size asked for. */
    private static byte[] page(int bytes) {
        byte[] page = new byte[bytes];
        byte[] html = "<html><body>benchmark page</body></html>".getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(page, (byte) ' ');
        System.arraycopy(html, 0, page, 0, Math.min(html.length, page.length));
        return page;
    }
}
