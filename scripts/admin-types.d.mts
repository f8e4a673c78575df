/** scripts/admin-types.mjs, as the tests import it. */
export declare const TYPES_FILE: string;
export declare function adminTypes(document: unknown): Promise<string>;
