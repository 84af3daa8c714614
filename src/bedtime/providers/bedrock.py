"""Amazon Bedrock: story text through the Converse API (tool use for structured output,
an optional guardrail), pictures through Amazon Nova Canvas."""

from __future__ import annotations

import base64
import json
from typing import Any

from bedtime.providers import STORY_SCHEMA, ProviderError, draft_from_json
from bedtime.providers.aws import MAX_BACKOFF, AwsCaller, ClientFor
from bedtime.providers.budget import Budget, CallSpec
from bedtime.providers.prompts import (
    LOOK_SYSTEM,
    STORY_SYSTEM,
    look_prompt,
    picture_prompt,
    story_prompt,
)
from bedtime.records.briefs import Draft, PictureBrief, StoryBrief
from bedtime.records.catalog import Entry

STORY_CALL = CallSpec(timeout=120, attempts=2, max_backoff=MAX_BACKOFF)
LOOK_CALL = CallSpec(timeout=15, attempts=1, max_backoff=MAX_BACKOFF)
IMAGE_CALL = CallSpec(timeout=120, attempts=2, max_backoff=MAX_BACKOFF)
_TOOL = "bedtime_story"
_CANVAS_PROMPT_LIMIT = 1024


class _Bedrock(AwsCaller):
    name = "bedrock"
    provider = "Bedrock"
    retryable = (
        "ThrottlingException",
        "ServiceUnavailableException",
        "InternalServerException",
        "ModelNotReadyException",
        "ModelTimeoutException",
    )


class BedrockStoryWriter(_Bedrock):
    def __init__(
        self,
        client_for: ClientFor,
        model: str,
        budget: Budget,
        guardrail: tuple[str, str] | None = None,
    ) -> None:
        super().__init__(client_for, budget)
        self.model = model
        self._guardrail = guardrail

    def write(self, brief: StoryBrief) -> Draft:
        request: dict[str, Any] = {
            "modelId": self.model,
            "system": [{"text": STORY_SYSTEM}],
            "messages": [{"role": "user", "content": [{"text": story_prompt(brief)}]}],
            "inferenceConfig": {"maxTokens": 3000},
            "toolConfig": {
                "tools": [
                    {
                        "toolSpec": {
                            "name": _TOOL,
                            "description": "Save the finished bedtime story.",
                            "inputSchema": {"json": STORY_SCHEMA},
                        }
                    }
                ],
                "toolChoice": {"tool": {"name": _TOOL}},
            },
        }
        if self._guardrail:
            identifier, version = self._guardrail
            request["guardrailConfig"] = {
                "guardrailIdentifier": identifier,
                "guardrailVersion": version,
            }
        response = self._call(STORY_CALL, "converse", **request)
        request_id = response.get("ResponseMetadata", {}).get("RequestId")
        if response.get("stopReason") == "guardrail_intervened":
            raise ProviderError("Bedrock guardrail flagged the story", request_id=request_id)
        for block in response["output"]["message"]["content"]:
            if "toolUse" in block:
                return draft_from_json(block["toolUse"]["input"], "Bedrock", request_id)
        raise ProviderError("Bedrock returned no story", request_id=request_id)

    def look(self, character: Entry) -> str:
        response = self._call(
            LOOK_CALL,
            "converse",
            modelId=self.model,
            system=[{"text": LOOK_SYSTEM}],
            messages=[{"role": "user", "content": [{"text": look_prompt(character)}]}],
            inferenceConfig={"maxTokens": 200},
        )
        blocks = response["output"]["message"]["content"]
        return " ".join(" ".join(b.get("text", "") for b in blocks).split())


class BedrockPainter(_Bedrock):
    def __init__(self, client_for: ClientFor, model: str, budget: Budget) -> None:
        super().__init__(client_for, budget)
        self._model = model

    def paint(self, brief: PictureBrief) -> bytes:
        body = {
            "taskType": "TEXT_IMAGE",
            "textToImageParams": {
                "text": picture_prompt(brief)[:_CANVAS_PROMPT_LIMIT],
                "negativeText": "text, letters, words, scary, dark shadows",
            },
            "imageGenerationConfig": {"numberOfImages": 1, "width": 1024, "height": 1024},
        }
        response = self._call(
            IMAGE_CALL,
            "invoke_model",
            modelId=self._model,
            body=json.dumps(body),
            contentType="application/json",
            accept="application/json",
        )
        result = json.loads(response["body"].read())
        if result.get("error") or not result.get("images"):
            raise ProviderError(f"Bedrock returned no image: {result.get('error')}")
        return base64.b64decode(result["images"][0])
