/** The Qdrant version whose REST API Phoenix's vector engine speaks. */
export const QDRANT_VERSION = '1.19.0';
