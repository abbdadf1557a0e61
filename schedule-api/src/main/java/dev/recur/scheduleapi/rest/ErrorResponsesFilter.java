package dev.recur.scheduleapi.rest;

import java.util.List;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * Types every error response of the OpenAPI document as the API's one error body ({@link ErrorBody}), so that the
 * operations need not repeat it on each {@code @APIResponse} of a 4xx or 5xx.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.BUILD)
public class ErrorResponsesFilter implements OASFilter {

    static final String ERROR_SCHEMA = "ErrorBody";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSchema(ERROR_SCHEMA, errorBody());
        openAPI.getPaths()
                .getPathItems()
                .values()
                .forEach(path -> path.getOperations().values().forEach(operation -> {
                    if (operation.getResponses() == null
                            || operation.getResponses().getAPIResponses() == null) {
                        return;
                    }
                    operation.getResponses().getAPIResponses().forEach((code, response) -> {
                        if (!isError(code)) {
                            return;
                        }
                        if (response.getContent() == null
                                || response.getContent().getMediaTypes() == null
                                || response.getContent().getMediaTypes().isEmpty()) {
                            response.setContent(OASFactory.createContent()
                                    .addMediaType(MediaType.APPLICATION_JSON, OASFactory.createMediaType()));
                        }
                        // an error response declared with examples only gets its type too
                        response.getContent().getMediaTypes().values().stream()
                                .filter(media -> media.getSchema() == null)
                                .forEach(media -> media.setSchema(errorRef()));
                    });
                }));
    }

    private static Schema errorRef() {
        return OASFactory.createSchema().ref("#/components/schemas/" + ERROR_SCHEMA);
    }

    private static boolean isError(String code) {
        return code.length() == 3 && (code.charAt(0) == '4' || code.charAt(0) == '5');
    }

    private static Schema errorBody() {
        Schema text = OASFactory.createSchema().addType(Schema.SchemaType.STRING);
        Schema fieldError = OASFactory.createSchema()
                .addType(Schema.SchemaType.OBJECT)
                .addProperty(
                        "field",
                        OASFactory.createSchema()
                                .addType(Schema.SchemaType.STRING)
                                .description("the field, as items[2].callback_url"))
                .addProperty("message", text)
                .required(List.of("field", "message"));
        return OASFactory.createSchema()
                .addType(Schema.SchemaType.OBJECT)
                .description("The API's one error shape: a human-readable message and one entry per invalid field.")
                .addProperty("message", text)
                .addProperty(
                        "errors",
                        OASFactory.createSchema()
                                .addType(Schema.SchemaType.ARRAY)
                                .items(fieldError))
                .required(List.of("message", "errors"));
    }
}
