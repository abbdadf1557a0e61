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
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An instant HTTP/1.1 server standing in for the world outside Recur in benchmarks (pages to fetch, callbacks to
 * receive), to run in a child JVM ({@link ChildJvm}) so that its CPU is counted apart from the services under test.
 * One selector thread reads each request head, skips the body its {@code Content-Length} announces and queues the
 * {@link Handler}'s prepared response at once, on a kept-alive connection: per request it only scans the head and
 * writes bytes, far less than a general-purpose server costs.
 */
public final class StubHttpServer {

    /** The answers; called on the selector thread. */
    public interface Handler {

        /** The whole response (status line, headers and body) to a request, once its body has been read. */
        byte[] answer(Request request) throws IOException;

        /** After each round of the selector: at least every tick, when the server has one. */
        default void afterRound() throws IOException {}
    }

    /** A request's method and those of its headers the server keeps, by lower-case name. */
    public record Request(String method, Map<String, String> headers) {

        /** The header's value, or null; {@code name} in lower case, and one the server keeps. */
        public String header(String name) {
            return headers.get(name);
        }
    }

    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};

    private final Set<String> keptHeaders;
    private final long tickMillis;
    private final Handler handler;

    /**
     * @param keptHeaders the (lower-case) names of the headers the handler reads
     * @param tickMillis the longest wait of the selector between {@link Handler#afterRound()} calls; 0: no limit
     */
    public StubHttpServer(Set<String> keptHeaders, long tickMillis, Handler handler) {
        this.keptHeaders = Set.copyOf(keptHeaders);
        this.tickMillis = tickMillis;
        this.handler = handler;
    }

    /** A prepared response: the status line, the content type and length, and the body. */
    public static byte[] response(String status, String contentType, byte[] body) {
        byte[] head = ("HTTP/1.1 " + status + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + body.length
                        + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** Serves until the JVM ends; says on standard output, under {@code name}, once it listens. */
    public void serve(InetSocketAddress address, String name) throws IOException {
        try (Selector selector = Selector.open();
                ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(address, 1024);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024);
            System.out.println(name + " listening on " + address.getHostString() + ":" + address.getPort());
            while (true) {
                if (tickMillis > 0) {
                    selector.select(tickMillis);
                } else {
                    selector.select();
                }
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
                handler.afterRound();
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
        if (channel.read(in) < 0) {
            key.cancel();
            channel.close();
            return;
        }
        in.flip();
        while (in.hasRemaining()) {
            if (connection.bodyLeft > 0) {
                int skip = (int) Math.min(connection.bodyLeft, in.remaining());
                in.position(in.position() + skip);
                connection.bodyLeft -= skip;
                if (connection.bodyLeft == 0) {
                    connection.queue(handler.answer(connection.request));
                }
                continue;
            }
            byte b = in.get();
            connection.head.append((char) (b & 0xff));
            connection.matched = b == HEAD_END[connection.matched] ? connection.matched + 1 : b == '\r' ? 1 : 0;
            if (connection.matched == HEAD_END.length) {
                connection.matched = 0;
                parseHead(connection);
                if (connection.bodyLeft == 0) {
                    connection.queue(handler.answer(connection.request));
                }
            }
        }
        if (connection.out.hasRemaining()) {
            write(key);
        }
    }

    private void parseHead(Connection connection) {
        String head = connection.head.toString();
        connection.head.setLength(0);
        int space = head.indexOf(' ');
        Map<String, String> headers = keptHeaders.isEmpty() ? Map.of() : new HashMap<>();
        long length = 0;
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String header = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (header.equals("content-length")) {
                length = Long.parseLong(line.substring(colon + 1).trim());
            } else if (keptHeaders.contains(header)) {
                headers.put(header, line.substring(colon + 1).trim());
            }
        }
        connection.request = new Request(space < 0 ? head : head.substring(0, space), headers);
        connection.bodyLeft = length;
    }

    private static void write(SelectionKey key) throws IOException {
        Connection connection = (Connection) key.attachment();
        ((SocketChannel) key.channel()).write(connection.out);
        key.interestOps(
                connection.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** A connection's request head so far (or the request whose body is still to skip), and what is not yet written. */
    private static final class Connection {
        final StringBuilder head = new StringBuilder(512);
        int matched;
        Request request;
        long bodyLeft;
        ByteBuffer out = ByteBuffer.allocate(0);

        void queue(byte[] response) {
            if (!out.hasRemaining()) {
                // the usual case: the answer is written at once, from the shared bytes
                out = ByteBuffer.wrap(response);
                return;
            }
            ByteBuffer next = ByteBuffer.allocate(out.remaining() + response.length);
            next.put(out).put(response).flip();
            out = next;
        }
    }
}
