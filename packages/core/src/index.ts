export * from './backend/backend.js';
