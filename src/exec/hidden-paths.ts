/** Where credentials usually live under a home directory: the default things to hide. Pure. */
import { posix } from 'node:path'

/** Home-relative paths of common credential stores (cloud CLIs, kube, ssh, git, registries). */
export const HOME_CREDENTIAL_ENTRIES: readonly string[] = [
  '.aws', '.kube', '.ssh', '.gnupg', '.azure', '.config/gcloud', '.docker', '.terraform.d', '.terraformrc',
  '.netrc', '.git-credentials', '.config/gh', '.npmrc', '.pypirc', '.vault-token', '.config/helm', '.password-store',
]

/** Absolute credential paths under `home`, for the sandbox's `hide` list. */
export const credentialPaths = (home: string): string[] => HOME_CREDENTIAL_ENTRIES.map(e => posix.join(home, e))
