/** A text parsed as JSON, or undefined when it is not JSON (error pages, empty answers). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An answer's body as text, and parsed as JSON when it is JSON (undefined otherwise). */
export async function readBody(res: { body: { text(): Promise<string> } }): Promise<{ text: string; json: unknown }> {
  const text = await res.body.text();
  return { text, json: parseJson(text) };
}
