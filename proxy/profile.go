package proxy

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"

	"howett.net/plist"
)

// Content types of the CA downloads; iOS offers to install a profile for either.
const (
	ContentTypeCACert       = "application/x-x509-ca-cert"
	ContentTypeMobileConfig = "application/x-apple-aspen-config"
)

// mobileConfig is the top level of an iOS configuration profile.
type mobileConfig struct {
	PayloadContent           []rootPayload `plist:"PayloadContent"`
	PayloadDescription       string        `plist:"PayloadDescription"`
	PayloadDisplayName       string        `plist:"PayloadDisplayName"`
	PayloadIdentifier        string        `plist:"PayloadIdentifier"`
	PayloadOrganization      string        `plist:"PayloadOrganization"`
	PayloadRemovalDisallowed bool          `plist:"PayloadRemovalDisallowed"`
	PayloadType              string        `plist:"PayloadType"`
	PayloadUUID              string        `plist:"PayloadUUID"`
	PayloadVersion           int           `plist:"PayloadVersion"`
}

// rootPayload installs a root certificate (no private key, so no PKCS#12 and no password).
type rootPayload struct {
	PayloadCertificateFileName string `plist:"PayloadCertificateFileName"`
	PayloadContent             []byte `plist:"PayloadContent"`
	PayloadDescription         string `plist:"PayloadDescription"`
	PayloadDisplayName         string `plist:"PayloadDisplayName"`
	PayloadIdentifier          string `plist:"PayloadIdentifier"`
	PayloadType                string `plist:"PayloadType"`
	PayloadUUID                string `plist:"PayloadUUID"`
	PayloadVersion             int    `plist:"PayloadVersion"`
}

// MobileConfig is an unsigned iOS configuration profile that installs the CA as a root
// certificate. Its identifiers derive from the certificate, so downloading it twice replaces
// the profile instead of adding a second one, and a rotated CA gets a profile of its own.
func (ca *CA) MobileConfig() ([]byte, error) {
	profileUUID := uuidFrom(ca.Cert.Raw, "profile")
	certUUID := uuidFrom(ca.Cert.Raw, "certificate")
	cfg := mobileConfig{
		PayloadContent: []rootPayload{{
			PayloadCertificateFileName: "sdkflow-ca.cer",
			PayloadContent:             ca.Cert.Raw,
			PayloadDescription:         "Lets sdkflow's test proxy inspect HTTPS traffic.",
			PayloadDisplayName:         ca.Cert.Subject.CommonName,
			PayloadIdentifier:          "org.sdkflow.ca.certificate." + certUUID,
			PayloadType:                "com.apple.security.root",
			PayloadUUID:                certUUID,
			PayloadVersion:             1,
		}},
		PayloadDescription: "Installs the certificate authority of sdkflow's test proxy. " +
			"Remove this profile when testing is over.",
		PayloadDisplayName:  "sdkflow test proxy CA",
		PayloadIdentifier:   "org.sdkflow.ca." + profileUUID,
		PayloadOrganization: "sdkflow",
		PayloadType:         "Configuration",
		PayloadUUID:         profileUUID,
		PayloadVersion:      1,
	}
	out, err := plist.MarshalIndent(cfg, plist.XMLFormat, "\t")
	if err != nil {
		return nil, fmt.Errorf("encoding the iOS profile: %w", err)
	}
	return out, nil
}

// uuidFrom makes a version-5-shaped UUID from a hash of data and a label.
func uuidFrom(data []byte, label string) string {
	h := sha256.New()
	h.Write([]byte(label))
	h.Write(data)
	s := h.Sum(nil)
	s[6] = s[6]&0x0f | 0x50
	s[8] = s[8]&0x3f | 0x80
	return fmt.Sprintf("%X-%X-%X-%X-%X", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
}

func spkiHash(c *x509.Certificate) string {
	sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}
