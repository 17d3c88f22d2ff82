# The provider checksums the workflows hold terraform to: each job copies this file into the stack's
# folder as .terraform.lock.hcl before `terraform init -lockfile=readonly`, so a provider restored from
# the Actions cache (or downloaded on a miss) is used only if it is this exact build. h1: is
# hashicorp/aws 5.100.0 for linux_amd64 (GitHub's ubuntu runners), computed with
# `terraform providers lock -fs-mirror=<mirror> -platform=linux_amd64` from the provider HashiCorp
# released; a test inits a stack against the offline mirror with it.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.100.0"
  constraints = "5.100.0"
  hashes = [
    "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=",
  ]
}
