package corpus

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/scrubgate/scrubgate/detectors"
)

// Kinds of planted secrets (Planted.Kind).
const (
	KindGitHubClassic      = "github-classic"      // ghp_/gho_/ghs_ + 30 base62 + CRC32 checksum
	KindGitHubFineGrained  = "github-fine-grained" // github_pat_ + 22 + "_" + 59 base62
	KindNPM                = "npm"                 // npm_ + 30 base62 + CRC32 checksum
	KindOpenAIProject      = "openai-project"      // sk-proj-…T3BlbkFJ…
	KindAnthropic          = "anthropic"           // sk-ant-api03-…AA
	KindAWSAccessKeyID     = "aws-access-key-id"   // AKIA + 16 [A-Z2-7]
	KindAWSSecretAccessKey = "aws-secret-access-key"
	KindSlackBot           = "slack-bot"
	KindStripe             = "stripe" // sk_live_ / rk_live_
	KindGoogleAPI          = "google-api"
	KindGitLab             = "gitlab"
	KindHuggingFace        = "huggingface"
	KindSendGrid           = "sendgrid"
	KindJWT                = "jwt"
	KindBearer             = "bearer"           // opaque token after "Authorization: Bearer "
	KindBasic              = "basic"            // base64(user:password) after "Authorization: Basic "
	KindPrivateKey         = "private-key"      // whole PEM block, BEGIN..END inclusive
	KindURLPassword        = "url-password"     // password of scheme://user:password@host
	KindGenericPassword    = "generic-password" // value of a password assignment
	KindBase64Wrapped      = "base64-wrapped"   // base64 of a token in a Kubernetes Secret
)

var allKinds = []string{
	KindGitHubClassic, KindGitHubFineGrained, KindNPM, KindOpenAIProject, KindAnthropic,
	KindAWSAccessKeyID, KindAWSSecretAccessKey, KindSlackBot, KindStripe, KindGoogleAPI,
	KindGitLab, KindHuggingFace, KindSendGrid, KindJWT, KindBearer, KindBasic,
	KindPrivateKey, KindURLPassword, KindGenericPassword, KindBase64Wrapped,
}

// Kinds returns every kind the generators plant.
func Kinds() []string { return append([]string(nil), allKinds...) }

// KindPrefixes returns the literal prefixes a planted secret of kind starts with, or
// nil for kinds without one.
func KindPrefixes(kind string) []string {
	switch kind {
	case KindGitHubClassic:
		return []string{"ghp_", "gho_", "ghs_"}
	case KindGitHubFineGrained:
		return []string{"github_pat_"}
	case KindNPM:
		return []string{"npm_"}
	case KindOpenAIProject:
		return []string{"sk-proj-"}
	case KindAnthropic:
		return []string{"sk-ant-api03-"}
	case KindAWSAccessKeyID:
		return []string{"AKIA"}
	case KindSlackBot:
		return []string{"xoxb-"}
	case KindStripe:
		return []string{"sk_live_", "rk_live_"}
	case KindGoogleAPI:
		return []string{"AIza"}
	case KindGitLab:
		return []string{"glpat-"}
	case KindHuggingFace:
		return []string{"hf_"}
	case KindSendGrid:
		return []string{"SG."}
	case KindJWT:
		return []string{"eyJ"}
	case KindPrivateKey:
		return []string{"-----BEGIN "}
	}
	return nil
}

// ---- secret values ----

func genGitHubClassic(r *rand.Rand) string {
	return mintCRC(r, pick(r, "ghp_", "ghp_", "ghp_", "gho_", "ghs_"))
}

// mintCRC returns a checksummed token whose body and checksum look random.
func mintCRC(r *rand.Rand, prefix string) string {
	for {
		tok := detectors.MintPrefixedCRC32(prefix, []byte(randFrom(r, alnumChars, 30)))
		if looksRandom(tok[len(prefix):]) {
			return tok
		}
	}
}

func genGitHubFineGrained(r *rand.Rand) string {
	return "github_pat_" + randTok(r, alnumChars, 22) + "_" + randTok(r, alnumChars, 59)
}

func genNPM(r *rand.Rand) string {
	return mintCRC(r, "npm_")
}

func genOpenAI(r *rand.Rand) string {
	return "sk-proj-" + randTok(r, urlChars, 74) + "T3BlbkFJ" + randTok(r, urlChars, 74)
}

func genAnthropic(r *rand.Rand) string { return "sk-ant-api03-" + randTok(r, urlChars, 93) + "AA" }
func genAWSID(r *rand.Rand) string     { return "AKIA" + randTok(r, awsIDChars, 16) }
func genAWSSecret(r *rand.Rand) string { return randTok(r, awsSecChars, 40) }

func genSlack(r *rand.Rand) string {
	return "xoxb-" + digitsNZ(r, 11) + "-" + digitsNZ(r, 13) + "-" + randTok(r, alnumChars, 24)
}

func digitsNZ(r *rand.Rand, n int) string {
	return regen(func() string { return string("123456789"[r.IntN(9)]) + randFrom(r, digitChars, n-1) })
}

func genStripe(r *rand.Rand) string {
	return pick(r, "sk_live_", "sk_live_", "rk_live_") + randTok(r, alnumChars, 99)
}

func genGoogle(r *rand.Rand) string { return "AIza" + randTok(r, urlChars, 35) }
func genGitLab(r *rand.Rand) string { return "glpat-" + randTok(r, urlChars, 20) }
func genHF(r *rand.Rand) string     { return "hf_" + randTok(r, letterChars, 34) }

func genSendGrid(r *rand.Rand) string {
	return "SG." + randTok(r, urlChars, 22) + "." + randTok(r, urlChars, 43)
}

func genJWT(r *rand.Rand) string {
	header := b64url(`{"alg":"HS256","typ":"JWT"}`)
	iat := unixTime(r)
	var claims string
	switch r.IntN(4) {
	case 0:
		claims = fmt.Sprintf(`{"sub":"%s","iat":%d,"exp":%d}`, randUUID(r), iat, iat+3600)
	case 1:
		claims = fmt.Sprintf(`{"sub":"%d","name":"%s","role":"%s","iat":%d,"exp":%d}`, between(r, 1000, 999999), pick(r, firstNames...), pick(r, "admin", "editor", "viewer", "service"), iat, iat+pick(r, 900, 3600, 86400))
	case 2:
		claims = fmt.Sprintf(`{"iss":"https://auth.%s","sub":"%s","aud":"%s","scope":"%s","iat":%d,"exp":%d}`, pick(r, domains...), pick(r, userNames...), pick(r, "api", "billing-api", "internal"), pick(r, "read:orders write:orders", "openid profile email", "repo:read"), iat, iat+pick(r, 600, 3600))
	default:
		claims = fmt.Sprintf(`{"sub":"user_%s","org_id":"%s","iat":%d,"exp":%d}`, cleanID(r, alnumChars, 12), randUUID(r), iat, iat+7200)
	}
	sig := regen(func() string { return base64.RawURLEncoding.EncodeToString(randBytes(r, 32)) })
	return header + "." + b64url(claims) + "." + sig
}

func genBearer(r *rand.Rand) string {
	n := between(r, 32, 48)
	return regen(func() string {
		return randFrom(r, alnumChars, 1) + randFrom(r, bearerChars, n-2) + randFrom(r, alnumChars, 1)
	})
}

// genPassword returns n characters with letters, digits and punctuation, starting with
// a letter (so YAML and dotenv keep it a plain value) and of high entropy.
func genPassword(r *rand.Rand, n int, punct string) string {
	for {
		s := randFrom(r, letterChars, 1) + randFrom(r, alnumChars+punct, n-1)
		if !looksRandom(s) || detectors.Entropy([]byte(s)) < 3.5 {
			continue
		}
		if strings.ContainsAny(s, upperChars) && strings.ContainsAny(s, lowerChars) &&
			strings.ContainsAny(s, digitChars) && strings.ContainsAny(s, punct) {
			return s
		}
	}
}

func genBasicUserPass(r *rand.Rand) (string, string) {
	user := pick(r, "deploy", "ci-bot", "jenkins", "grafana", "svc-backup", "admin", "metrics", "registry-reader")
	return user, genPassword(r, between(r, 12, 20), "!#%*_-.")
}

func genBasic(r *rand.Rand) string {
	for {
		u, p := genBasicUserPass(r)
		if s := b64(u + ":" + p); !hasRuns(s, 4) && !containsAny(s, secretPrefixes) {
			return s
		}
	}
}

var (
	rsaDERPrefix = []byte{0x30, 0x82, 0x04, 0xa4, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01, 0x00}
	sshPrefix    = []byte("openssh-key-v1\x00\x00\x00\x00\x04none\x00\x00\x00\x04none\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x01\x97\x00\x00\x00\x07ssh-rsa")
)

// genPEM returns a PEM private key block with "\n" line ends (no trailing newline).
func genPEM(r *rand.Rand) string {
	if r.IntN(3) < 2 {
		for {
			full := between(r, 20, 26)
			n := full*48 + between(r, 1, 45)
			body := append(append([]byte(nil), rsaDERPrefix...), randBytes(r, n-len(rsaDERPrefix))...)
			enc := base64.StdEncoding.EncodeToString(body)
			if !looksRandom(enc[16:]) {
				continue
			}
			return "-----BEGIN RSA PRIVATE KEY-----\n" + wrap(enc, 64) + "\n-----END RSA PRIVATE KEY-----"
		}
	}
	for {
		full := between(r, 20, 26)
		chars := full*70 + between(r, 8, 64)
		n := chars * 3 / 4
		body := append(append([]byte(nil), sshPrefix...), randBytes(r, n-len(sshPrefix))...)
		enc := base64.StdEncoding.EncodeToString(body)
		if len(enc)%70 == 0 || !looksRandom(enc[(len(sshPrefix)/3+1)*4:]) {
			continue
		}
		return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + wrap(enc, 70) + "\n-----END OPENSSH PRIVATE KEY-----"
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n])
		b.WriteByte('\n')
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

// ---- contexts ----

// snip is one natural context for a secret.
type snip struct {
	style string // env, shell, http, yaml, python, js, file, json
	file  string // style file: the path shown by `cat`
	f     func(r *rand.Rand) rich
	j     func(r *rand.Rand) jKV
}

// kindSpec describes how a kind is generated and where it naturally appears.
type kindSpec struct {
	// pair returns an environment variable name and its value (with the secret
	// planted inside); nil for kinds that only live in headers or manifests.
	pair func(r *rand.Rand) (string, rich)
	// keys are alternative config keys besides the lower-cased variable name.
	keys   []string
	extras []snip
	// strict kinds are recognised by their assignment (aws_secret_access_key = …,
	// DB_PASSWORD=…), so they only get contexts of the form name, operator, value.
	strict bool
}

func tokenPair(kind string, gen func(*rand.Rand) string, names ...string) func(*rand.Rand) (string, rich) {
	return func(r *rand.Rand) (string, rich) { return pick(r, names...), sec(kind, gen(r)) }
}

func sf(style string, f func(r *rand.Rand) rich) snip { return snip{style: style, f: f} }

func file(path string, f func(r *rand.Rand) rich) snip { return snip{style: "file", file: path, f: f} }

func jsf(f func(r *rand.Rand) jKV) snip { return snip{style: "json", j: f} }

func repoURLPath(r *rand.Rand) string { return pick(r, orgs...) + "/" + pick(r, repoNames...) }

func githubExtras(kind string, gen func(*rand.Rand) string) []snip {
	return []snip{
		sf("shell", func(r *rand.Rand) rich {
			return cat("git clone https://x-access-token:", sec(kind, gen(r)), "@github.com/"+repoURLPath(r)+".git")
		}),
		sf("shell", func(r *rand.Rand) rich {
			return cat(`curl -sS -H "Authorization: token `, sec(kind, gen(r)), `" "https://api.github.com/repos/`+repoURLPath(r)+`/actions/runs?per_page=5"`)
		}),
		sf("shell", func(r *rand.Rand) rich {
			return cat("echo ", sec(kind, gen(r)), " | docker login ghcr.io -u "+pick(r, userNames...)+" --password-stdin")
		}),
		sf("http", func(r *rand.Rand) rich { return cat("Authorization: token ", sec(kind, gen(r))) }),
		file("~/.git-credentials", func(r *rand.Rand) rich {
			return cat("https://"+pick(r, userNames...)+":", sec(kind, gen(r)), "@github.com\n")
		}),
		sf("python", func(r *rand.Rand) rich {
			return cat("from github import Github\n\ngh = Github(\"", sec(kind, gen(r)), "\")\nrepo = gh.get_repo(\""+repoURLPath(r)+"\")\n")
		}),
	}
}

func bearerHeader(kind string, gen func(*rand.Rand) string) snip {
	return sf("http", func(r *rand.Rand) rich { return cat("Authorization: Bearer ", sec(kind, gen(r))) })
}

func curlBearer(kind string, gen func(*rand.Rand) string, urls ...string) snip {
	return sf("shell", func(r *rand.Rand) rich {
		return cat(`curl -s `+pick(r, urls...)+` \`+"\n"+`  -H "Authorization: Bearer `, sec(kind, gen(r)), `" \`+"\n"+`  -H "Content-Type: application/json"`)
	})
}

func dbURL(r *rand.Rand) (string, rich) {
	pw := sec(KindURLPassword, genPassword(r, between(r, 12, 24), "!*_-"))
	switch r.IntN(5) {
	case 0, 1:
		host := pick(r, "db.internal", "postgres", "10.0.3.17", "prod-db."+cleanID(r, "abcdefghijklmnopqrstuvwxyz0123456789", 12)+".eu-west-1.rds.amazonaws.com")
		return pick(r, "DATABASE_URL", "POSTGRES_URL", "DB_DSN"), cat(pick(r, "postgres", "postgresql")+"://"+pick(r, "appuser", "app", "billing_svc", "api")+":", pw, "@"+host+":5432/"+pick(r, "app", "billing", "orders", "app_production"))
	case 2:
		return pick(r, "MYSQL_URL", "DATABASE_URL"), cat("mysql://"+pick(r, "root", "shop", "wp_user")+":", pw, "@"+pick(r, "mysql", "mysql.internal", "127.0.0.1")+":3306/"+pick(r, "shop", "wordpress", "inventory"))
	case 3:
		return pick(r, "REDIS_URL", "CACHE_URL"), cat("redis://"+pick(r, "", "default")+":", pw, "@"+pick(r, "redis", "cache.internal", "10.0.7.4")+":6379/"+pick(r, "0", "1"))
	default:
		return pick(r, "CELERY_BROKER_URL", "AMQP_URL", "RABBITMQ_URL"), cat("amqp://"+pick(r, "worker", "celery", "app")+":", pw, "@"+pick(r, "rabbitmq", "mq.internal")+":5672/"+pick(r, "%2F", "jobs"))
	}
}

func awsCredentialsFile(r *rand.Rand) rich {
	profile := pick(r, "default", "prod", "deploy", "ci")
	return cat("["+profile+"]\naws_access_key_id = ", sec(KindAWSAccessKeyID, genAWSID(r)),
		"\naws_secret_access_key = ", sec(KindAWSSecretAccessKey, genAWSSecret(r)),
		"\nregion = "+pick(r, "us-east-1", "eu-west-1", "eu-central-1", "ap-northeast-1")+"\n")
}

func boto3Client(r *rand.Rand) rich {
	return cat("s3 = boto3.client(\n    \""+pick(r, "s3", "sqs", "dynamodb")+"\",\n    aws_access_key_id=\"", sec(KindAWSAccessKeyID, genAWSID(r)),
		"\",\n    aws_secret_access_key=\"", sec(KindAWSSecretAccessKey, genAWSSecret(r)), "\",\n    region_name=\""+pick(r, "us-east-1", "eu-west-1")+"\",\n)\n")
}

func k8sTokenSecret(r *rand.Rand) rich {
	tok := pick(r, genGitHubClassic, genGitHubClassic, genGitHubFineGrained, genNPM, genGitLab)(r)
	name := pick(r, "github-token", "ci-token", "registry-token", "git-credentials")
	return cat("apiVersion: v1\nkind: Secret\nmetadata:\n  name: "+name+"\n  namespace: "+pick(r, "ci", "apps", "default", "tekton-pipelines")+"\ntype: Opaque\ndata:\n  token: ",
		sec(KindBase64Wrapped, b64(tok)), "\n")
}

func dockerConfigJSON(r *rand.Rand) string {
	user := pick(r, userNames...)
	var reg, tok string
	switch r.IntN(3) {
	case 0:
		reg, tok = "ghcr.io", genGitHubClassic(r)
	case 1:
		reg, tok = "registry.gitlab.com", genGitLab(r)
	default:
		reg, tok = "https://index.docker.io/v1/", genPassword(r, 20, "!#%*_-")
	}
	return b64(`{"auths":{"` + reg + `":{"username":"` + user + `","password":"` + tok + `","auth":"` + b64(user+":"+tok) + `"}}}`)
}

func k8sDockerSecret(r *rand.Rand) rich {
	return cat("apiVersion: v1\nkind: Secret\nmetadata:\n  name: "+pick(r, "regcred", "ghcr-pull", "registry-auth")+"\n  namespace: "+pick(r, "apps", "default", "staging")+"\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ",
		sec(KindBase64Wrapped, dockerConfigJSON(r)), "\n")
}

var kindSpecs = map[string]kindSpec{
	KindGitHubClassic: {
		pair:   tokenPair(KindGitHubClassic, genGitHubClassic, "GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PAT", "HOMEBREW_GITHUB_API_TOKEN"),
		keys:   []string{"token", "githubToken"},
		extras: githubExtras(KindGitHubClassic, genGitHubClassic),
	},
	KindGitHubFineGrained: {
		pair:   tokenPair(KindGitHubFineGrained, genGitHubFineGrained, "GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PAT", "RENOVATE_TOKEN"),
		keys:   []string{"token", "githubToken"},
		extras: githubExtras(KindGitHubFineGrained, genGitHubFineGrained),
	},
	KindNPM: {
		pair: tokenPair(KindNPM, genNPM, "NPM_TOKEN", "NODE_AUTH_TOKEN"),
		keys: []string{"npmToken"},
		extras: []snip{
			file("~/.npmrc", func(r *rand.Rand) rich {
				return cat("//registry.npmjs.org/:_authToken=", sec(KindNPM, genNPM(r)), "\n")
			}),
			sf("shell", func(r *rand.Rand) rich {
				return cat("npm config set //registry.npmjs.org/:_authToken=", sec(KindNPM, genNPM(r)))
			}),
			sf("shell", func(r *rand.Rand) rich {
				return cat(`echo "//registry.npmjs.org/:_authToken=`, sec(KindNPM, genNPM(r)), `" > ~/.npmrc && npm publish --access public`)
			}),
		},
	},
	KindOpenAIProject: {
		pair: tokenPair(KindOpenAIProject, genOpenAI, "OPENAI_API_KEY"),
		keys: []string{"api_key", "apiKey", "openai_key"},
		extras: []snip{
			sf("python", func(r *rand.Rand) rich {
				return cat("from openai import OpenAI\n\nclient = OpenAI(api_key=\"", sec(KindOpenAIProject, genOpenAI(r)), "\")\n")
			}),
			sf("js", func(r *rand.Rand) rich {
				return cat("import OpenAI from \"openai\";\n\nconst openai = new OpenAI({ apiKey: \"", sec(KindOpenAIProject, genOpenAI(r)), "\" });\n")
			}),
			curlBearer(KindOpenAIProject, genOpenAI, "https://api.openai.com/v1/chat/completions", "https://api.openai.com/v1/models", "https://api.openai.com/v1/embeddings"),
			bearerHeader(KindOpenAIProject, genOpenAI),
		},
	},
	KindAnthropic: {
		pair: tokenPair(KindAnthropic, genAnthropic, "ANTHROPIC_API_KEY"),
		keys: []string{"api_key", "apiKey", "anthropic_key"},
		extras: []snip{
			sf("python", func(r *rand.Rand) rich {
				return cat("import anthropic\n\nclient = anthropic.Anthropic(api_key=\"", sec(KindAnthropic, genAnthropic(r)), "\")\n")
			}),
			sf("js", func(r *rand.Rand) rich {
				return cat("const client = new Anthropic({ apiKey: \"", sec(KindAnthropic, genAnthropic(r)), "\" });\n")
			}),
			sf("shell", func(r *rand.Rand) rich {
				return cat("curl https://api.anthropic.com/v1/messages \\\n  -H \"x-api-key: ", sec(KindAnthropic, genAnthropic(r)), "\" \\\n  -H \"anthropic-version: 2023-06-01\" \\\n  -H \"content-type: application/json\"")
			}),
			sf("http", func(r *rand.Rand) rich { return cat("x-api-key: ", sec(KindAnthropic, genAnthropic(r))) }),
		},
	},
	KindAWSAccessKeyID: {
		pair: tokenPair(KindAWSAccessKeyID, genAWSID, "AWS_ACCESS_KEY_ID"),
		keys: []string{"access_key_id", "accessKeyId"},
		extras: []snip{
			file("~/.aws/credentials", awsCredentialsFile),
			sf("python", boto3Client),
			sf("shell", func(r *rand.Rand) rich {
				return cat("aws configure set aws_access_key_id ", sec(KindAWSAccessKeyID, genAWSID(r)), " --profile "+pick(r, "prod", "deploy", "default"))
			}),
		},
	},
	KindAWSSecretAccessKey: {
		pair:   tokenPair(KindAWSSecretAccessKey, genAWSSecret, "AWS_SECRET_ACCESS_KEY", "aws_secret_access_key"),
		strict: true,
		extras: []snip{
			file("~/.aws/credentials", awsCredentialsFile),
			sf("python", boto3Client),
		},
	},
	KindSlackBot: {
		pair: tokenPair(KindSlackBot, genSlack, "SLACK_BOT_TOKEN", "SLACK_TOKEN"),
		keys: []string{"bot_token", "botToken"},
		extras: []snip{
			sf("python", func(r *rand.Rand) rich {
				return cat("from slack_sdk import WebClient\n\nclient = WebClient(token=\"", sec(KindSlackBot, genSlack(r)), "\")\nclient.chat_postMessage(channel=\"#"+pick(r, "deploys", "alerts", "general")+"\", text=\"build finished\")\n")
			}),
			sf("shell", func(r *rand.Rand) rich {
				return cat("curl -X POST https://slack.com/api/chat.postMessage \\\n  -H \"Authorization: Bearer ", sec(KindSlackBot, genSlack(r)), "\" \\\n  -H 'Content-type: application/json; charset=utf-8' \\\n  --data '{\"channel\":\"C0"+cleanID(r, upperChars+digitChars, 8)+"\",\"text\":\"deploy done\"}'")
			}),
			bearerHeader(KindSlackBot, genSlack),
		},
	},
	KindStripe: {
		pair: tokenPair(KindStripe, genStripe, "STRIPE_SECRET_KEY", "STRIPE_API_KEY"),
		keys: []string{"secret_key", "secretKey", "stripe_key"},
		extras: []snip{
			sf("python", func(r *rand.Rand) rich {
				return cat("import stripe\n\nstripe.api_key = \"", sec(KindStripe, genStripe(r)), "\"\n")
			}),
			sf("shell", func(r *rand.Rand) rich {
				return cat("curl https://api.stripe.com/v1/"+pick(r, "charges", "customers", "payment_intents")+" \\\n  -u ", sec(KindStripe, genStripe(r)), ": \\\n  -d limit=3")
			}),
			sf("js", func(r *rand.Rand) rich {
				return cat("const stripe = require(\"stripe\")(\"", sec(KindStripe, genStripe(r)), "\");\n")
			}),
		},
	},
	KindGoogleAPI: {
		pair: tokenPair(KindGoogleAPI, genGoogle, "GOOGLE_API_KEY", "GEMINI_API_KEY", "MAPS_API_KEY"),
		keys: []string{"api_key", "apiKey"},
		extras: []snip{
			sf("shell", func(r *rand.Rand) rich {
				return cat(`curl "https://maps.googleapis.com/maps/api/geocode/json?address=`+pick(r, "1600+Amphitheatre+Parkway", "10+Downing+Street", "Alexanderplatz+Berlin")+`&key=`, sec(KindGoogleAPI, genGoogle(r)), `"`)
			}),
			sf("js", func(r *rand.Rand) rich {
				p := pick(r, "shop-prod", "chat-app-4f2c1", "inventory-dev-9a1e")
				return cat("const firebaseConfig = {\n  apiKey: \"", sec(KindGoogleAPI, genGoogle(r)), "\",\n  authDomain: \""+p+".firebaseapp.com\",\n  projectId: \""+p+"\",\n  storageBucket: \""+p+".appspot.com\",\n};\n")
			}),
			sf("python", func(r *rand.Rand) rich {
				return cat("import google.generativeai as genai\n\ngenai.configure(api_key=\"", sec(KindGoogleAPI, genGoogle(r)), "\")\n")
			}),
		},
	},
	KindGitLab: {
		pair: tokenPair(KindGitLab, genGitLab, "GITLAB_TOKEN", "GL_TOKEN", "GITLAB_PRIVATE_TOKEN"),
		keys: []string{"private_token", "token"},
		extras: []snip{
			sf("shell", func(r *rand.Rand) rich {
				return cat(`curl --header "PRIVATE-TOKEN: `, sec(KindGitLab, genGitLab(r)), fmt.Sprintf(`" "https://gitlab.com/api/v4/projects/%d/pipelines?status=failed"`, between(r, 1000000, 59999999)))
			}),
			sf("shell", func(r *rand.Rand) rich {
				return cat("git clone https://oauth2:", sec(KindGitLab, genGitLab(r)), "@gitlab.com/"+repoURLPath(r)+".git")
			}),
			sf("http", func(r *rand.Rand) rich { return cat("PRIVATE-TOKEN: ", sec(KindGitLab, genGitLab(r))) }),
			sf("python", func(r *rand.Rand) rich {
				return cat("gl = gitlab.Gitlab(\"https://gitlab.com\", private_token=\"", sec(KindGitLab, genGitLab(r)), "\")\n")
			}),
		},
	},
	KindHuggingFace: {
		pair: tokenPair(KindHuggingFace, genHF, "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACEHUB_API_TOKEN"),
		keys: []string{"hf_token", "token"},
		extras: []snip{
			sf("shell", func(r *rand.Rand) rich { return cat("huggingface-cli login --token ", sec(KindHuggingFace, genHF(r))) }),
			sf("python", func(r *rand.Rand) rich {
				return cat("from huggingface_hub import login\n\nlogin(token=\"", sec(KindHuggingFace, genHF(r)), "\")\n")
			}),
			bearerHeader(KindHuggingFace, genHF),
		},
	},
	KindSendGrid: {
		pair: tokenPair(KindSendGrid, genSendGrid, "SENDGRID_API_KEY"),
		keys: []string{"api_key", "sendgridApiKey"},
		extras: []snip{
			sf("python", func(r *rand.Rand) rich {
				return cat("sg = SendGridAPIClient(api_key=\"", sec(KindSendGrid, genSendGrid(r)), "\")\nresponse = sg.send(message)\n")
			}),
			sf("js", func(r *rand.Rand) rich {
				return cat("const sgMail = require(\"@sendgrid/mail\");\nsgMail.setApiKey(\"", sec(KindSendGrid, genSendGrid(r)), "\");\n")
			}),
			curlBearer(KindSendGrid, genSendGrid, "--request POST https://api.sendgrid.com/v3/mail/send"),
		},
	},
	KindJWT: {
		pair: tokenPair(KindJWT, genJWT, "ACCESS_TOKEN", "API_JWT", "SESSION_TOKEN", "ID_TOKEN"),
		keys: []string{"access_token", "id_token", "jwt"},
		extras: []snip{
			bearerHeader(KindJWT, genJWT),
			sf("http", func(r *rand.Rand) rich {
				return cat("Cookie: "+pick(r, "session", "auth_token", "jwt")+"=", sec(KindJWT, genJWT(r)))
			}),
			curlBearer(KindJWT, genJWT, "https://api.internal.acme-corp.net/v1/me", "http://localhost:8080/api/orders"),
			sf("python", func(r *rand.Rand) rich {
				return cat("headers = {\"Authorization\": \"Bearer ", sec(KindJWT, genJWT(r)), "\"}\nresp = requests.get(url, headers=headers, timeout=10)\n")
			}),
			jsf(func(r *rand.Rand) jKV {
				return jKV{"token_response", jObj{{"access_token", sec(KindJWT, genJWT(r))}, {"token_type", "Bearer"}, {"expires_in", 3600}}}
			}),
		},
	},
	KindBearer: {
		extras: []snip{
			bearerHeader(KindBearer, genBearer),
			curlBearer(KindBearer, genBearer, "https://api.internal.net/v2/reports", "https://api.vendor.io/v1/events", "http://localhost:3000/api/admin/users"),
			sf("python", func(r *rand.Rand) rich {
				return cat("headers = {\"Authorization\": \"Bearer ", sec(KindBearer, genBearer(r)), "\", \"Accept\": \"application/json\"}\n")
			}),
			sf("js", func(r *rand.Rand) rich {
				return cat("const res = await fetch(url, {\n  headers: { Authorization: \"Bearer ", sec(KindBearer, genBearer(r)), "\" },\n});\n")
			}),
			sf("yaml", func(r *rand.Rand) rich {
				return cat("headers:\n  Authorization: Bearer ", sec(KindBearer, genBearer(r)), "\n")
			}),
			jsf(func(r *rand.Rand) jKV {
				return jKV{"headers", jObj{{"Authorization", cat("Bearer ", sec(KindBearer, genBearer(r)))}, {"Accept", "application/json"}}}
			}),
		},
	},
	KindBasic: {
		extras: []snip{
			sf("http", func(r *rand.Rand) rich { return cat("Authorization: Basic ", sec(KindBasic, genBasic(r))) }),
			sf("shell", func(r *rand.Rand) rich {
				return cat(`curl -H "Authorization: Basic `, sec(KindBasic, genBasic(r)), `" `+pick(r, "https://jenkins.internal/job/deploy/lastBuild/api/json", "https://registry.internal/v2/_catalog", "https://grafana.internal/api/dashboards/home"))
			}),
			sf("python", func(r *rand.Rand) rich {
				return cat("headers = {\"Authorization\": \"Basic ", sec(KindBasic, genBasic(r)), "\"}\n")
			}),
			file("/etc/nginx/conf.d/upstream.conf", func(r *rand.Rand) rich {
				return cat("location /api/ {\n    proxy_pass http://backend:8080;\n    proxy_set_header Authorization \"Basic ", sec(KindBasic, genBasic(r)), "\";\n}\n")
			}),
			jsf(func(r *rand.Rand) jKV {
				return jKV{"headers", jObj{{"Authorization", cat("Basic ", sec(KindBasic, genBasic(r)))}}}
			}),
		},
	},
	KindPrivateKey: {
		pair: func(r *rand.Rand) (string, rich) {
			return pick(r, "SSH_PRIVATE_KEY", "DEPLOY_KEY", "JWT_PRIVATE_KEY", "TLS_KEY"), sec(KindPrivateKey, genPEM(r))
		},
		keys: []string{"private_key", "privateKey", "ssh_key"},
		extras: []snip{
			file("~/.ssh/id_rsa", func(r *rand.Rand) rich { return cat(sec(KindPrivateKey, genPEM(r)), "\n") }),
			file("certs/server.key", func(r *rand.Rand) rich { return cat(sec(KindPrivateKey, genPEM(r)), "\n") }),
		},
	},
	KindURLPassword: {
		pair: dbURL,
		keys: []string{"url", "dsn", "database_url"},
		extras: []snip{
			sf("python", func(r *rand.Rand) rich {
				_, u := dbURL(r)
				return cat("engine = create_engine(\"", u, "\", pool_pre_ping=True)\n")
			}),
			sf("shell", func(r *rand.Rand) rich {
				_, u := dbURL(r)
				return cat("psql \"", u, "\" -c 'select count(*) from orders'")
			}),
		},
	},
	KindGenericPassword: {
		pair: func(r *rand.Rand) (string, rich) {
			return pick(r, "DB_PASSWORD", "POSTGRES_PASSWORD", "MYSQL_ROOT_PASSWORD", "REDIS_PASSWORD", "SMTP_PASSWORD", "ADMIN_PASSWORD"),
				sec(KindGenericPassword, genPassword(r, between(r, 16, 24), "!#%*_-"))
		},
		keys:   []string{"password", "password", "db_password", "admin_password"},
		strict: true,
		extras: []snip{
			sf("python", func(r *rand.Rand) rich {
				return cat("conn = psycopg2.connect(host=\"db\", dbname=\""+pick(r, "app", "orders")+"\", user=\""+pick(r, "app", "etl")+"\", password=\"", sec(KindGenericPassword, genPassword(r, between(r, 16, 24), "!#%*_-")), "\")\n")
			}),
			sf("js", func(r *rand.Rand) rich {
				return cat("const pool = new Pool({\n  host: \"db\",\n  user: \"app\",\n  password: \"", sec(KindGenericPassword, genPassword(r, between(r, 16, 24), "!#%*_-")), "\",\n  port: 5432,\n});\n")
			}),
		},
	},
	KindBase64Wrapped: {
		extras: []snip{
			sf("yaml", k8sTokenSecret),
			sf("yaml", k8sDockerSecret),
			jsf(func(r *rand.Rand) jKV {
				return jKV{"data", jObj{{".dockerconfigjson", sec(KindBase64Wrapped, dockerConfigJSON(r))}}}
			}),
		},
	},
}

// snips returns every context of kind: the generic ones built from its pair and the
// kind-specific extras.
func snips(kind string) []snip {
	ks := kindSpecs[kind]
	out := append([]snip(nil), ks.extras...)
	if ks.pair == nil {
		return out
	}
	p := ks.pair
	key := func(r *rand.Rand, name string) string {
		if len(ks.keys) > 0 && r.IntN(2) == 0 {
			return pick(r, ks.keys...)
		}
		return strings.ToLower(name)
	}
	out = append(out,
		sf("env", func(r *rand.Rand) rich { n, v := p(r); return envLine(r, n, v) }),
		sf("yaml", func(r *rand.Rand) rich { n, v := p(r); return yamlKV(r, key(r, n), v) }),
		jsf(func(r *rand.Rand) jKV { n, v := p(r); return jKV{key(r, n), v} }),
	)
	if ks.strict {
		return append(out,
			sf("python", func(r *rand.Rand) rich { n, v := p(r); return cat(key(r, n)+" = \"", v, "\"\n") }),
			sf("shell", func(r *rand.Rand) rich { n, v := p(r); return cat("export "+n+"=", shQuote(v)) }),
		)
	}
	out = append(out, sf("python", func(r *rand.Rand) rich { n, v := p(r); return pyAssign(r, n, v) }))
	if !multiline(kind) {
		out = append(out,
			sf("shell", func(r *rand.Rand) rich { n, v := p(r); return cat("export "+n+"=", shQuote(v)) }),
			sf("js", func(r *rand.Rand) rich {
				n, v := p(r)
				return cat("const "+camel(n)+" = process.env."+n+" ?? \"", v, "\";\n")
			}),
		)
	}
	return out
}

// multiline reports whether the values of kind's pair span several lines.
func multiline(kind string) bool { return kind == KindPrivateKey }

func envLine(r *rand.Rand, name string, v rich) rich {
	if strings.Contains(v.String(), "\n") || r.IntN(3) == 0 {
		return cat(name+"=\"", v, "\"")
	}
	return cat(name+"=", v)
}

func shQuote(v rich) rich {
	if strings.ContainsAny(v.String(), "!*#%&?") {
		return cat("'", v, "'")
	}
	return cat("\"", v, "\"")
}

func yamlKV(r *rand.Rand, key string, v rich) rich {
	if strings.Contains(v.String(), "\n") {
		return cat(key+": |\n  ", indent(v, "  "), "\n")
	}
	if r.IntN(2) == 0 {
		return cat(key+": \"", v, "\"\n")
	}
	return cat(key+": ", v, "\n")
}

func pyAssign(r *rand.Rand, name string, v rich) rich {
	if strings.Contains(v.String(), "\n") {
		return cat(name+" = \"\"\"", v, "\"\"\"\n")
	}
	switch r.IntN(3) {
	case 0:
		return cat("os.environ[\""+name+"\"] = \"", v, "\"\n")
	case 1:
		return cat(strings.ToLower(name)+" = os.getenv(\""+name+"\", \"", v, "\")\n")
	}
	return cat(name+" = \"", v, "\"\n")
}

func camel(name string) string {
	parts := strings.Split(strings.ToLower(name), "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// indent inserts prefix after every newline of v, secrets included (a PEM block in a
// YAML block scalar keeps its indentation inside the planted span).
func indent(v rich, prefix string) rich {
	out := make(rich, len(v))
	for i, s := range v {
		out[i] = seg{s: strings.ReplaceAll(s.s, "\n", "\n"+prefix), kind: s.kind}
	}
	return out
}

// pickSnip returns a random context of kind whose style is one of styles (any style
// if none is given).
func pickSnip(r *rand.Rand, kind string, styles ...string) (snip, bool) {
	all := snips(kind)
	var ok []snip
	for _, s := range all {
		if len(styles) == 0 {
			ok = append(ok, s)
			continue
		}
		for _, st := range styles {
			if s.style == st {
				ok = append(ok, s)
				break
			}
		}
	}
	if len(ok) == 0 {
		return snip{}, false
	}
	return ok[r.IntN(len(ok))], true
}

// textSnip renders a random non-JSON context of kind as standalone text lines (a file
// context becomes `$ cat path` and the file; an HTTP header becomes curl -v output).
func textSnip(r *rand.Rand, kind string) rich {
	s, _ := pickSnip(r, kind, "env", "shell", "http", "yaml", "python", "js", "file")
	return renderText(r, s)
}

func renderText(r *rand.Rand, s snip) rich {
	body := s.f(r)
	switch s.style {
	case "file":
		return cat("$ cat "+s.file+"\n", body)
	case "http":
		return httpDump(r, body)
	case "shell":
		return cat("$ ", body, "\n")
	}
	return ensureNL(body)
}

func ensureNL(v rich) rich {
	if strings.HasSuffix(v.String(), "\n") {
		return v
	}
	return cat(v, "\n")
}

// httpDump wraps a header line in curl -v output or a raw request dump.
func httpDump(r *rand.Rand, header rich) rich {
	path := pick(r, "/v1/orders?limit=20", "/api/v2/users/me", "/v1/models", "/healthz/deep", "/api/reports/export", "/v1/chat/completions")
	host := pick(r, "api.internal.net", "localhost:8080", "gateway.prod.svc.cluster.local", "api.vendor.io")
	if r.IntN(2) == 0 {
		return cat("* Connected to "+host+" ("+fmt.Sprintf("10.0.%d.%d", r.IntN(255), between(r, 1, 254))+") port 443\n> GET "+path+" HTTP/2\n> Host: "+host+"\n> User-Agent: curl/8.5.0\n> Accept: */*\n> ",
			header, "\n>\n< HTTP/2 "+pick(r, "200", "401", "403", "500")+"\n< content-type: application/json\n< date: Tue, 04 Mar 2025 10:12:55 GMT\n<\n")
	}
	return cat(pick(r, "GET", "POST")+" "+path+" HTTP/1.1\nHost: "+host+"\n", header, "\nContent-Type: application/json\nUser-Agent: python-requests/2.32.3\nAccept: */*\nConnection: keep-alive\n")
}
