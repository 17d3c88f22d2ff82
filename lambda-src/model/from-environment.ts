/**
 * The model client a deployed function uses: Gemini at `MODEL_API_BASE_URL` (default Google's
 * endpoint), model `MODEL_ID`, key from the SSM parameter `MODEL_API_KEY_PARAMETER` read once per
 * container through the container's SSM client (built, its SDK loaded, on that first read). Building
 * it makes no network call and loads no SDK.
 */
import type { Environment } from "../shared/config";
import { loadModelSettings } from "../shared/function-config";
import { containerSsmClient, createSsmSecretProvider } from "../shared/ssm-secret";
import { createGeminiClient } from "./gemini-client";
import type { ModelClient } from "./model-client";

export function modelClientFromEnvironment(env: Environment = process.env): ModelClient {
  const settings = loadModelSettings(env);
  return createGeminiClient({
    modelId: settings.modelId,
    baseUrl: settings.baseUrl,
    apiKey: createSsmSecretProvider(containerSsmClient, settings.apiKeyParameter),
  });
}
