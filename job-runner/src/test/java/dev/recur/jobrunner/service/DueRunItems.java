package dev.recur.jobrunner.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recur.common.json.EventJson;

final class DueRunItems {

    private DueRunItems() {}

    static ObjectNode item(String json) {
        return (ObjectNode) EventJson.read(json.getBytes(), JsonNode.class);
    }
}
