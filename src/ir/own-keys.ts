/** Names that reach an object's prototype when followed or assigned. */
const PROTOTYPE_NAMES = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Whether a key or path segment from outside (a client's body, an upstream's answer) names a prototype: such
 * a segment is never followed nor assigned (one `__proto__` would change every object of the process).
 */
export function isPrototypeKey(key: string | number): boolean {
  return typeof key === "string" && PROTOTYPE_NAMES.has(key);
}

/** A member of `obj` that is its own, never one it inherits. */
export function ownMember<T>(obj: Record<string | number, T>, key: string | number): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
