package dev.recur.testinfra;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;

/**
 * An instant HTTP/1.1 page server for benchmarks, to run in a child JVM ({@link ChildJvm}) so that its CPU is
 * counted apart from the service under test. One selector thread answers every request, whatever its method
 * and path, with the same small HTML page and keeps the connection open: per request it only scans for the end
 * of the request head and writes a prepared response, far less than a general-purpose server costs.
 *
 * <p>Usage: {@code StubPageServer <port> [page bytes, default 40]}. Requests must not carry a body.
 */
public final class StubPageServer {

    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};

    private final byte[] response;

    private StubPageServer(int pageBytes) {
        byte[] page = new byte[pageBytes];
        byte[] html = "<html><body>benchmark page</body></html>".getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(page, (byte) ' ');
        System.arraycopy(html, 0, page, 0, Math.min(html.length, page.length));
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " + page.length
                        + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        response = Arrays.copyOf(head, head.length + page.length);
        System.arraycopy(page, 0, response, head.length, page.length);
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        int pageBytes = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        new StubPageServer(pageBytes).serve(port);
    }

    private void serve(int port) throws IOException {
        try (Selector selector = Selector.open();
                ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", port), 1024);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
            System.out.println("stub page server listening on 127.0.0.1:" + port);
            while (true) {
                selector.select();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey key = keys.next();
                    keys.remove();
                    try {
                        if (key.isAcceptable()) {
                            accept(server, selector);
                        } else {
                            if (key.isReadable()) {
                                read(key, in);
                            }
                            if (key.isValid() && key.isWritable()) {
                                write(key);
                            }
                        }
                    } catch (IOException e) {
                        // the client went away; its connection is of no further use
                        key.cancel();
                        key.channel().close();
                    }
                }
            }
        }
    }

    private static void accept(ServerSocketChannel server, Selector selector) throws IOException {
        SocketChannel client = server.accept();
        if (client != null) {
            client.configureBlocking(false);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            client.register(selector, SelectionKey.OP_READ, new Connection());
        }
    }

    private void read(SelectionKey key, ByteBuffer in) throws IOException {
        SocketChannel channel = (SocketChannel) key.channel();
        Connection connection = (Connection) key.attachment();
        in.clear();
        int read = channel.read(in);
        if (read < 0) {
            key.cancel();
            channel.close();
            return;
        }
        in.flip();
        int requests = 0;
        while (in.hasRemaining()) {
            byte b = in.get();
            connection.matched = b == HEAD_END[connection.matched] ? connection.matched + 1 : b == '\r' ? 1 : 0;
            if (connection.matched == HEAD_END.length) {
                connection.matched = 0;
                requests++;
            }
        }
        if (requests > 0) {
            connection.queue(response, requests);
            write(key);
        }
    }

    private static void write(SelectionKey key) throws IOException {
        Connection connection = (Connection) key.attachment();
        ((SocketChannel) key.channel()).write(connection.out);
        key.interestOps(
                connection.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** Progress through the current request head, and the responses not yet written. */
    private static final class Connection {
        int matched;
        ByteBuffer out = ByteBuffer.allocate(0);

        void queue(byte[] response, int count) {
            if (!out.hasRemaining() && count == 1) {
                // the usual case: one request answered at once, from the shared bytes
                out = ByteBuffer.wrap(response);
                return;
            }
            ByteBuffer next = ByteBuffer.allocate(out.remaining() + response.length * count);
            next.put(out);
            for (int i = 0; i < count; i++) {
                next.put(response);
            }
            next.flip();
            out = next;
        }
    }
}
