export { signedDelivery, postDelivery, readAnswer, type SignedDelivery, type SignOptions } from "./deliveries.js";
export { findExample, allExamples } from "./examples.js";
