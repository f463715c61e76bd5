/**
 * The embedding process: loads the model named by GROW_EMBEDDER_MODEL_DIR (an operator's
 * sentence-transformers folder) or the shipped one, then answers `embed` requests from the hub
 * over the IPC channel. Started and supervised by EmbedderProcess; exits when the hub goes away.
 */
import type { Embedder } from './embedder.ts';
import type { EmbedderReply, EmbedderRequest } from './embedder-process.ts';

const send = (reply: EmbedderReply, then?: () => void) => process.send!(reply, undefined, {}, then);

process.on('disconnect', () => process.exit(0));

async function load(): Promise<Embedder> {
  const dir = process.env.GROW_EMBEDDER_MODEL_DIR;
  if (dir) return (await import('./sentence-transformer.ts')).SentenceTransformerEmbedder.load(dir);
  return (await import('./embedder.ts')).MenuEmbedModel.load();
}

try {
  const embedder = await load();
  process.on('message', (request: EmbedderRequest) => {
    embedder.embed(request.texts).then(
      (vectors) => send({ type: 'result', id: request.id, vectors }),
      (err: Error) => send({ type: 'error', id: request.id, message: err.message }),
    );
  });
  send({ type: 'ready', modelId: embedder.modelId, dimension: embedder.dimension, pid: process.pid });
} catch (err) {
  send({ type: 'failed', message: (err as Error).message }, () => process.exit(1));
}
